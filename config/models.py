from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """One fixed-window counter of ``config.ratelimit`` when the cache is not Redis.

    Incremented with one ``INSERT … ON CONFLICT DO UPDATE`` (atomic on PostgreSQL and SQLite), so
    concurrent requests can never both see the same count. Expired rows are reused in place by the
    next hit and purged hourly by ``config.tasks.purge_rate_counters``.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(help_text=_("End of the window, in epoch milliseconds."))

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="ratecounter_expires")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
