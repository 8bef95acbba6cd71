"""The rules that make an upload trustworthy, at the service level: dropped connections, dead
processes, two writers at once, the running sha256, and using a completed upload once."""

import io
import os
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from config import events
from config.errors import Conflict, Invalid
from datasets_registry.resumable import services, storage, tus
from datasets_registry.resumable.errors import ChecksumMismatch, UploadLocked
from datasets_registry.resumable.models import Upload

from .conftest import sha

DATA = os.urandom(200_000)


class Dropping(io.BytesIO):
    """A request body whose connection drops after ``cut`` bytes (``reset``: with an error)."""

    def __init__(self, data: bytes, cut: int, reset: bool = False):
        super().__init__(data[:cut])
        self.reset = reset

    def read(self, n=-1):
        block = super().read(n)
        if not block and self.reset:
            raise ConnectionResetError("connection reset by peer")
        return block


def make(user, data=DATA) -> Upload:
    return services.upload_create(user=user, length=len(data), metadata_header="")


def append(upload, user, data: bytes, offset: int, *, stream=None, checksum=None, length=None):
    return services.upload_append(
        upload_id=upload.pk,
        user=user,
        offset=offset,
        stream=stream if stream is not None else io.BytesIO(data),
        content_length=len(data) if length is None else length,
        checksum=checksum,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("reset", [False, True])
def test_a_dropped_connection_keeps_every_byte_that_arrived(user, reset):
    upload = make(user)
    body = DATA[:150_000]
    result = append(upload, user, body, 0, stream=Dropping(body, 60_000, reset=reset))
    assert result.offset == 60_000
    assert Upload.objects.get().offset == 60_000
    done = append(upload, user, DATA[60_000:], 60_000)
    assert (done.status, done.sha256) == ("complete", sha(DATA))


@pytest.mark.django_db
def test_a_checksummed_patch_cut_short_keeps_nothing(user):
    upload = make(user)
    body = DATA[:100_000]
    with pytest.raises(Invalid, match="nothing was kept"):
        append(
            upload,
            user,
            body,
            0,
            stream=Dropping(body, 50_000),
            checksum=tus.parse_checksum(tus.checksum_header("sha256", body)),
        )
    assert Upload.objects.get().offset == 0
    assert storage.path_of(upload.pk).stat().st_size == 0
    assert append(upload, user, DATA, 0).sha256 == sha(DATA)


@pytest.mark.django_db
def test_bytes_a_dead_process_wrote_past_the_offset_never_count(user):
    upload = make(user)
    append(upload, user, DATA[:1000], 0)
    # A process killed after writing, before committing: garbage beyond the offset.
    with open(storage.path_of(upload.pk), "ab") as fh:
        fh.write(b"\0" * 5000)
    storage._hashers.clear()  # and its memory died with it
    done = append(upload, user, DATA[1000:], 1000)
    assert done.sha256 == sha(DATA)
    assert storage.path_of(upload.pk).read_bytes() == DATA


@pytest.mark.django_db
def test_the_sha256_is_right_whichever_process_received_which_bytes(user):
    upload = make(user)
    for start in range(0, len(DATA), 50_000):
        storage._hashers.clear()  # every PATCH lands in a "new process"
        done = append(upload, user, DATA[start : start + 50_000], start)
    assert done.sha256 == sha(DATA)


@pytest.mark.django_db
def test_an_uninterrupted_upload_is_hashed_as_it_streams_never_reread(user, monkeypatch):
    upload = make(user)

    def no_reread(*args, **kwargs):
        raise AssertionError("the stored file was read again")

    monkeypatch.setattr(storage, "sha256_of", no_reread)
    for start in range(0, len(DATA), 50_000):
        done = append(upload, user, DATA[start : start + 50_000], start)
    assert done.sha256 == sha(DATA)


@pytest.mark.django_db
def test_a_checksum_mismatch_leaves_the_running_hash_as_it_was(user, monkeypatch):
    upload = make(user)
    append(upload, user, DATA[:1000], 0)
    wrong = tus.parse_checksum(tus.checksum_header("sha256", b"no"))
    with pytest.raises(ChecksumMismatch):
        append(upload, user, DATA[1000:2000], 1000, checksum=wrong)
    monkeypatch.setattr(storage, "sha256_of", lambda *a: pytest.fail("re-read"))
    assert append(upload, user, DATA[1000:], 1000).sha256 == sha(DATA)


@pytest.mark.django_db
def test_a_file_shorter_than_its_offset_sends_the_client_back(user):
    upload = make(user)
    append(upload, user, DATA[:5000], 0)
    os.truncate(storage.path_of(upload.pk), 3000)
    with pytest.raises(Conflict, match="holds only 3,000 bytes"):
        append(upload, user, DATA[5000:6000], 5000)
    assert Upload.objects.get().offset == 3000
    assert append(upload, user, DATA[3000:], 3000).sha256 == sha(DATA)


@pytest.mark.django_db
def test_checkpoints_commit_a_long_patch_as_it_streams(user, settings):
    settings.RESUMABLE_UPLOAD_CHECKPOINT_BYTES = 1
    upload = make(user)
    seen = []

    class Watching(io.BytesIO):
        def read(self, n=-1):
            seen.append(Upload.objects.get().offset)
            return super().read(min(n, 40_000))

    append(upload, user, DATA, 0, stream=Watching(DATA))
    assert seen[:4] == [0, 40_000, 80_000, 120_000]


@pytest.mark.django_db(transaction=True)
def test_two_patches_at_once_never_interleave(user):
    upload = make(user)
    started, release = threading.Event(), threading.Event()

    class Slow(io.BytesIO):
        def read(self, n=-1):
            started.set()
            release.wait(10)
            return super().read(n)

    results = {}

    def first():
        try:
            results["first"] = append(upload, user, DATA, 0, stream=Slow(DATA)).offset
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    try:
        with pytest.raises(UploadLocked):
            append(upload, user, DATA, 0)
    finally:
        release.set()
        thread.join(10)
    assert results["first"] == len(DATA)
    assert Upload.objects.get().sha256 == sha(DATA)
    # Once the first ended, the offset has moved on: a late duplicate is a plain 409.
    with pytest.raises(Conflict):
        append(upload, user, DATA, 0)


# --- using a completed upload --------------------------------------------------------------


@pytest.mark.django_db
def test_completed_upload_gives_path_size_and_sha256(user):
    upload = make(user)
    append(upload, user, DATA, 0)
    completed = services.completed_upload(upload_id=str(upload.pk), user=user)
    assert completed.path.read_bytes() == DATA
    assert (completed.size, completed.sha256) == (len(DATA), sha(DATA))
    as_file = completed.as_uploaded_file()
    assert (as_file.size, as_file.sha256) == (len(DATA), sha(DATA))
    assert as_file.temporary_file_path() == str(completed.path)
    as_file.close()


@pytest.mark.django_db
def test_completed_upload_refuses_clearly_keyed_by_upload_id(user, other_user):
    def refusal(upload_id, who=user):
        with pytest.raises((Invalid, Conflict)) as info:
            services.completed_upload(upload_id=upload_id, user=who)
        assert list(info.value.errors) == ["upload_id"]
        return info.value

    assert isinstance(refusal("not-an-id"), Invalid)
    receiving = make(user)
    append(receiving, user, DATA[:10], 0)
    assert "10 of 200,000 bytes" in refusal(receiving.pk).message
    assert isinstance(refusal(receiving.pk, other_user), Invalid)
    done = make(user)
    append(done, user, DATA, 0)
    storage.path_of(done.pk).unlink()
    assert "no longer on this server" in refusal(done.pk).message
    Upload.objects.filter(pk=receiving.pk).update(status=Upload.Status.TERMINATED)
    assert "deleted" in refusal(receiving.pk).message


@pytest.mark.django_db
def test_an_upload_is_used_once(user, django_capture_on_commit_callbacks):
    upload = make(user)
    append(upload, user, DATA, 0)
    claim = services.upload_claim(upload_id=upload.pk, user=user, used_for="dataset x 1.0")
    with (
        events.capture() as published,
        django_capture_on_commit_callbacks(execute=True),
        claim as c,
    ):
        assert c.sha256 == sha(DATA)
        with pytest.raises(Conflict, match="being used"):
            services.completed_upload(upload_id=upload.pk, user=user)
    upload.refresh_from_db()
    assert (upload.status, upload.used_for) == ("consumed", "dataset x 1.0")
    assert not storage.path_of(upload.pk).exists()
    [event] = [e for e in published if e.name == "upload.consumed"]
    assert event.payload == {
        "upload": str(upload.pk),
        "filename": "",
        "sha256": sha(DATA),
        "used_for": "dataset x 1.0",
    }
    with pytest.raises(Conflict, match=r"already used for dataset x 1\.0"):
        services.completed_upload(upload_id=upload.pk, user=user)


@pytest.mark.django_db
def test_a_failed_use_gives_the_upload_back(user):
    upload = make(user)
    append(upload, user, DATA, 0)
    with (
        pytest.raises(Invalid),
        services.upload_claim(upload_id=upload.pk, user=user, used_for="x"),
    ):
        raise Invalid("version exists")
    assert Upload.objects.get().status == "complete"
    assert services.completed_upload(upload_id=upload.pk, user=user).size == len(DATA)


@pytest.mark.django_db
def test_the_sweeper_releases_a_claim_left_by_a_dead_process(user):
    upload = make(user)
    append(upload, user, DATA, 0)
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.CONSUMING, updated_at=timezone.now() - timedelta(hours=2)
    )
    assert services.uploads_expire()["released"] == 1
    assert Upload.objects.get().status == "complete"


@pytest.mark.django_db
def test_file_or_upload_passes_a_direct_file_through_and_refuses_both(user):
    direct = object()
    with services.file_or_upload(user=user, file=direct, upload_id="", used_for="x") as got:
        assert got is direct
    with services.file_or_upload(user=user, file=None, upload_id=None, used_for="x") as got:
        assert got is None
    upload = make(user)
    append(upload, user, DATA, 0)
    with pytest.raises(Invalid, match="not both"):  # noqa: SIM117
        with services.file_or_upload(
            user=user, file=direct, upload_id=str(upload.pk), used_for="x"
        ):
            pass
    with services.file_or_upload(
        user=user, file=None, upload_id=f" {upload.pk} ", used_for="dataset x version 1"
    ) as got:
        assert (got.size, got.sha256, got.read()) == (len(DATA), sha(DATA), DATA)
    assert Upload.objects.get().used_for == "dataset x version 1"
