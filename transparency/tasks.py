from celery import shared_task

from . import checkpoints


@shared_task(name="transparency.tasks.sign_checkpoint")
def sign_checkpoint() -> int:
    """Beat task: sign a checkpoint of the entries that arrived since the last one (every append
    also tries after its commit, at most every ``LOG_CHECKPOINT_INTERVAL``; this catches the
    last entries of a burst). Returns the signed tree size."""
    return checkpoints.maybe_sign().tree_size
