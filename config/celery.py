"""The Celery application: every task module of every app is discovered from here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("omi_commons")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # The database, not the broker, is the source of truth: a task is acknowledged only after it
    # ran, and a task whose worker process died is handed back to the broker rather than dropped.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_max_tasks_per_child=500,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "health-worker-heartbeat": {
            "task": "config.tasks.worker_heartbeat",
            "schedule": 60.0,
        },
        # The transparency log: the last entries of a burst are signed within seconds.
        "transparency-sign-checkpoint": {
            "task": "transparency.tasks.sign_checkpoint",
            "schedule": 10.0,
        },
        "governance-close-due-proposals": {
            "task": "governance.tasks.close_due_proposals",
            "schedule": 30.0,
        },
        "redteam-tick": {
            "task": "models_registry.redteam.tasks.redteam_tick",
            "schedule": 60.0,
        },
        "surveys-close-due-surveys": {
            "task": "surveys.tasks.close_due_surveys",
            "schedule": 60.0,
        },
        # Every 15 s: with a 60 s lease, a killed worker's chunk is taken over within about
        # a minute of its last heartbeat (docs/captions.md).
        "validation-sweep-expired-leases": {
            "task": "datasets_registry.validation.tasks.sweep_validation_runs",
            "schedule": 15.0,
        },
        "registry-sweep-upload-temporaries": {
            "task": "datasets_registry.tasks.sweep_upload_temporaries",
            "schedule": 3600.0,
        },
        # The task sends only at NOTIFICATIONS_DIGEST_HOUR (each digest once per person and
        # period), so an hourly beat keeps the hour configurable without touching this file.
        "notifications-send-digests": {
            "task": "notifications.tasks.send_digests",
            "schedule": crontab(minute=0),
        },
        "notifications-remind-closing-votes": {
            "task": "notifications.tasks.remind_closing_votes",
            "schedule": 300.0,
        },
        "notifications-sweep-webhook-deliveries": {
            "task": "notifications.tasks.sweep_webhook_deliveries",
            "schedule": 60.0,
        },
        "platform-purge-rate-counters": {
            "task": "config.tasks.purge_rate_counters",
            "schedule": 3600.0,
        },
        "resumable-expire-uploads": {
            "task": "datasets_registry.resumable.tasks.expire_uploads",
            "schedule": 600.0,
        },
        "accounts-clear-expired-sessions": {
            "task": "accounts.tasks.clear_expired_sessions",
            "schedule": crontab(hour=3, minute=17),
        },
    },
)
app.autodiscover_tasks()
app.autodiscover_tasks(["config", "datasets_registry.validation"])
