"""How long conversations are kept: `retention_days` after their last message."""
import time
from typing import Optional

import sqlalchemy as sa

SECONDS_PER_DAY = 86400
PURGE_INTERVAL_SECONDS = 3600

EXPIRED_SENDERS = sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")


class Retention:
    """`days=None` keeps conversations for good."""

    def __init__(self, days: Optional[float]) -> None:
        if days is not None and float(days) <= 0:
            raise ValueError("retention_days must be positive; leave it out to keep conversations")
        self.seconds = float(days) * SECONDS_PER_DAY if days is not None else None
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
        """True at most once every PURGE_INTERVAL_SECONDS, the first time at once."""
        if not self.enabled or time.monotonic() < self._next_purge:
            return False
        self._next_purge = time.monotonic() + PURGE_INTERVAL_SECONDS
        return True
