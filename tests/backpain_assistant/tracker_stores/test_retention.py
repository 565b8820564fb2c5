import time

import pytest

from backpain_assistant.tracker_stores.retention import Retention


def test_a_conversation_expires_days_after_its_last_message() -> None:
    retention = Retention(2)
    assert retention.expired(time.time() - 3 * 86400)
    assert not retention.expired(time.time() - 1 * 86400)
    assert not retention.expired(None), "no message yet: nothing to expire"


def test_without_days_nothing_expires_and_nothing_is_purged() -> None:
    retention = Retention(None)
    assert not retention.expired(0.0)
    assert not retention.purge_due()


def test_a_purge_is_due_at_once_then_not_again_within_the_hour() -> None:
    retention = Retention(30)
    assert retention.purge_due()
    assert not retention.purge_due()


@pytest.mark.parametrize("days", [0, -1])
def test_days_must_be_positive(days: float) -> None:
    with pytest.raises(ValueError, match="retention_days"):
        Retention(days)
