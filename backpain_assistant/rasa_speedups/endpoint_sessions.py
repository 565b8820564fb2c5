"""Rasa's calls to its endpoints (the action server above all) over kept-alive connections.

Rasa 3.6 opens a new `aiohttp.ClientSession` for every request to an endpoint
(`EndpointConfig.request` does `async with self.session() as session`) and closes it after
the reply: each red-flag escalation resolves `localhost` in a thread, opens a TCP connection
to the action server and tears it down. Under load every one of those steps waits its turn on
the event loop behind the other conversations, and the red-flag turn took four times as long
as any other. `use_kept_alive_endpoint_sessions` makes `EndpointConfig.session` hand Rasa one
session per endpoint settings and event loop, which Rasa's `async with` leaves open.
Requests, replies and errors are Rasa's own.

The session has Rasa's headers, authentication and timeout (tested against Rasa's), and closes
idle connections after 2 s: the action server (Sanic) closes them after 5 s, and a request sent
on a connection the server is closing would fail. Like Rasa's one session per request, it keeps
no cookies between requests and puts no cap on concurrent ones.

A session holds its loop, so a table keyed weakly by loop would never let go; the sessions of
loops that have closed are dropped (and their sockets closed) whenever a new session is made.
"""

import asyncio
import atexit
from typing import Any, Dict, Hashable, Optional

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.rasa_speedups.event_loops import pop_closed_loops
from backpain_assistant.rasa_speedups.source_checks import require_source

RASAS_SESSION = EndpointConfig.session
IDLE_CONNECTION_S = 2.0
_sessions: Dict[asyncio.AbstractEventLoop, Dict[Hashable, aiohttp.ClientSession]] = {}


class KeptSession:
    """What `EndpointConfig.session()` returns: enters as the kept session, never closes it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def settings_of(endpoint: EndpointConfig) -> Hashable:
    auth = tuple(sorted((endpoint.basic_auth or {}).items()))
    return tuple(sorted((endpoint.headers or {}).items())), auth


def new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The session `EndpointConfig.session` builds, with a bounded idle time for its connections."""
    auth = (
        aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
        if endpoint.basic_auth
        else None
    )
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_S, limit=0),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


def kept_session(endpoint: EndpointConfig) -> Any:
    """`EndpointConfig.session`, kept per event loop; outside a running loop, Rasa's own."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return RASAS_SESSION(endpoint)
    sessions = _sessions.get(loop)
    key = settings_of(endpoint)
    if sessions is None or key not in sessions or sessions[key].closed:
        drop_sessions_of_closed_loops()
        sessions = _sessions.setdefault(loop, {})
        sessions[key] = new_session(endpoint)
    return KeptSession(sessions[key])


def drop_sessions_of_closed_loops() -> None:
    for sessions in pop_closed_loops(_sessions):
        drop_sessions(sessions)


def drop_sessions(sessions: Dict[Hashable, aiohttp.ClientSession]) -> None:
    """Their loop has stopped, so the connections are dropped without awaiting."""
    for session in sessions.values():
        connector: Optional[aiohttp.BaseConnector] = session.connector
        if connector is not None and not connector.closed:
            try:
                connector._close()  # aiohttp's synchronous close; `close()` must be awaited
            except Exception:  # noqa: BLE001  (a socket that cannot close is gone anyway)
                pass


def close_kept_sessions() -> None:
    """At exit."""
    while _sessions:
        drop_sessions(_sessions.popitem()[1])


def use_kept_alive_endpoint_sessions() -> None:
    if EndpointConfig.session is kept_session:
        return
    require_source(
        EndpointConfig.request,
        "async with self.session() as session",
        message="EndpointConfig.request no longer opens self.session(); review rasa_speedups.endpoint_sessions.",
    )
    EndpointConfig.session = kept_session
    atexit.register(close_kept_sessions)
