import pytest


@pytest.fixture
def eager(settings):
    """Run Celery tasks in-process (they are sent on commit: capture the callbacks)."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def no_dispatch(monkeypatch):
    """Record tasks instead of sending them, to drive the pipeline step by step."""
    sent: list[tuple[str, tuple]] = []
    from datasets_registry.validation import tasks

    for name in ("start_validation_run", "validate_chunk_task", "finalize_validation_run"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda *args, _n=name: sent.append((_n, args)))
    return sent
