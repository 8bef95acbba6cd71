"""Writes for caption validation: create, start, process chunks, finalise, cancel, sweep.

The pipeline, and why it survives crashes:

1. ``run_create`` (``runs``) snapshots the rule set and the checked triple and queues the
   coordinator once the transaction commits. Uploads reach it through the registry's
   ``dataset.version_created`` event, in the version's own transaction (``handlers``).
2. ``run_start`` (``coordinator``) claims the queued run, plans chunks and stores one
   ``ValidationChunk`` row per chunk, then dispatches one task per chunk.
3. ``chunk_process`` (``chunks``) claims its chunk with a lease (a conditional UPDATE that only
   succeeds for a pending chunk or one whose lease expired) and renews the lease from a heartbeat
   thread while it validates; it stores its issues and duplicate hashes in storage and marks the
   chunk done -- only while it still holds the lease (a token), so a slow or duplicate copy can
   never overwrite or double count. Progress is recomputed from the chunk rows, never
   incremented.
4. When the last chunk is done, ``run_finalize`` (``finalize``) merges counts, resolves
   duplicates across chunks, writes the report and the samples under a row lock, once.
5. ``sweep`` (``sweeper``, every 15 s from beat) re-dispatches chunks whose lease expired (their
   worker died: no heartbeat renewed it) or whose message was lost, restarts stalled coordinators
   and finalisers, and fails runs whose chunks keep failing.

Tasks are sent with ``delay_on_commit`` (``tasks.DispatchAfterCommit``): a worker never sees
uncommitted rows, and a broker that cannot be reached after the commit is logged, never reported
as the failure of work that was committed: the sweeper sends it later.
"""

from .chunks import ChunkRetry, chunk_process
from .common import local_file
from .coordinator import run_start
from .finalize import run_finalize
from .runs import run_cancel, run_create, run_fail, run_request
from .sweeper import sweep

__all__ = [
    "ChunkRetry",
    "chunk_process",
    "local_file",
    "run_cancel",
    "run_create",
    "run_fail",
    "run_finalize",
    "run_request",
    "run_start",
    "sweep",
]
