"""Telling the person the truth when conversations cannot be read or written."""

import functools
from typing import Any, Awaitable, Callable, TypeVar

import sqlalchemy as sa

from backpain_assistant.time_limits import StoreTimedOut

Result = TypeVar("Result")


class ConversationStoreUnavailable(BaseException):
    """The tracker store's database could not be reached or did not do its job.

    A `BaseException` on purpose: Rasa wraps every tracker store in its
    `FailSafeTrackerStore`, which catches any `Exception`, then answers from an empty
    in-memory tracker (no context) and keeps the turn only in that process's memory. For
    this assistant that is worse than an error: the answer can be wrong, and an answered
    turn is lost. This passes the wrapper, so the channel can answer 503 ("try again") and
    the client can send the message again; nothing is answered that is not stored.
    """


def unavailable_on_database_error(
    method: Callable[..., Awaitable[Result]],
) -> Callable[..., Awaitable[Result]]:
    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> Result:
        try:
            return await method(*args, **kwargs)
        except (sa.exc.SQLAlchemyError, StoreTimedOut) as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error

    return wrapper
