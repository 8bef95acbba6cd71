"""The transparency log's own tables. The entries themselves are governance's ``LedgerEntry``
rows (one log, one ``seq``, one hash chain); leaf ``i`` of the Merkle tree is entry ``seq = i + 1``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TreeNode(models.Model):
    """The hash of one complete subtree: ``level`` L, ``index`` i covers leaves
    ``[i * 2**L, (i + 1) * 2**L)``. ``key = (index << 6) | level`` (``transparency.merkle``)."""

    key = models.PositiveBigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node {self.key & 63}/{self.key >> 6}"


class TreeHead(models.Model):
    """A single row: how many leaves have their nodes stored. Locked while the tree grows."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"tree of {self.size}"


class EntryLink(models.Model):
    """Where an entry's thing lives on the site, and which event made it (not hashed: the hashed
    entry is the ledger row). Lets an artefact page find its entry."""

    entry = models.OneToOneField(
        "governance.LedgerEntry", on_delete=models.CASCADE, related_name="link"
    )
    event = models.CharField(max_length=80)
    url = models.CharField(max_length=500, blank=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_ref = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["url", "event"]), models.Index(fields=["event"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"


class Checkpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint in a signed note). All are kept."""

    tree_size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField(help_text=_("The signed note, exactly as served."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"


class WitnessKey(models.Model):
    """A witness whose cosignatures the log serves: registered by staff."""

    name = models.CharField(max_length=200, unique=True)
    verifier_key = models.CharField(
        max_length=400, unique=True, help_text=_("<name>+<key hash>+<base64 key> (type 0x04).")
    )
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    """A witness's cosignature (C2SP tlog-cosignature/v1) of one checkpoint."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="cosigs")
    witness = models.ForeignKey(WitnessKey, on_delete=models.CASCADE, related_name="cosigs")
    timestamp = models.PositiveBigIntegerField()
    line = models.CharField(max_length=600, help_text=_("The signature line, as appended."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="one_cosig_per_witness")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint}"
