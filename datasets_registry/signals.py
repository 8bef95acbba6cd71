"""Signals the registry sends; other apps (caption validation) listen without being imported here.

``dataset_version_created(sender=DatasetVersion, version=<DatasetVersion>, actor=<User | None>)``
is sent inside the transaction that creates the version, once its file is stored and its row is
saved. Receivers that start background work must defer it with ``transaction.on_commit`` so a
worker never sees an uncommitted version (and nothing runs if the transaction rolls back).
"""

from django.dispatch import Signal

dataset_version_created = Signal()
