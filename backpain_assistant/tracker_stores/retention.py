"""How long conversations are kept: `retention_days` after their last message."""

import logging
import threading
import time
import weakref
from typing import Callable, Optional

import sqlalchemy as sa

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86400
PURGE_INTERVAL_SECONDS = 3600

EXPIRED_SENDERS = sa.text(
    "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
)


class Retention:
    """`days=None` keeps conversations for good."""

    def __init__(
        self, days: Optional[float], purge_interval_seconds: float = PURGE_INTERVAL_SECONDS
    ) -> None:
        if days is not None and float(days) <= 0:
            raise ValueError("retention_days must be positive; leave it out to keep conversations")
        self.seconds = float(days) * SECONDS_PER_DAY if days is not None else None
        self.purge_interval_seconds = float(purge_interval_seconds)
        self._next_purge = 0.0

    @property
    def enabled(self) -> bool:
        return self.seconds is not None

    def cutoff(self) -> float:
        """Conversations whose last message is older than this epoch time have expired."""
        return time.time() - (self.seconds or 0.0)

    def expired(self, last_message_at: Optional[float]) -> bool:
        return self.enabled and last_message_at is not None and last_message_at < self.cutoff()

    def purge_due(self) -> bool:
        """True at most once every purge interval, the first time at once."""
        if not self.enabled or time.monotonic() < self._next_purge:
            return False
        self._next_purge = time.monotonic() + self.purge_interval_seconds
        return True


def purge_on_a_timer(purge: Callable[[], int], retention: Retention) -> Optional[threading.Thread]:
    """Purges every interval even when no message comes: an idle deployment would otherwise
    keep expired conversations until someone writes. The thread holds the purge method
    weakly, so it ends with its store."""
    if not retention.enabled:
        return None
    method = weakref.WeakMethod(purge)
    thread = threading.Thread(
        target=_purge_while_alive, args=(method, retention), name="retention", daemon=True
    )
    thread.start()
    return thread


def _purge_while_alive(
    method: "weakref.WeakMethod[Callable[[], int]]", retention: Retention
) -> None:
    while True:
        time.sleep(retention.purge_interval_seconds)
        purge = method()
        if purge is None:
            return
        if retention.purge_due():
            try:
                purge()
            except Exception as error:  # the database is down: the next interval tries again
                logger.warning("conversation.purge_failed error=%s", type(error).__name__)
        del purge
