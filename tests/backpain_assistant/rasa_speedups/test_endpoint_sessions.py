"""Endpoint calls must send and return what Rasa's do, over one kept-alive connection."""

import asyncio
from typing import Any, AsyncIterator, Dict, List, Tuple

import pytest
import uvloop
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from backpain_assistant.rasa_speedups.endpoint_sessions import (
    IDLE_CONNECTION_S,
    RASAS_SESSION,
    KeptSession,
    _sessions,
    new_session,
    use_kept_alive_endpoint_sessions,
)
from tests.support.loopback_http import serve_post_on_loopback

Seen = List[Dict[str, Any]]


@pytest.fixture
def restore_rasas_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)


async def start_endpoint() -> Tuple[web.AppRunner, str, Seen]:
    seen: Seen = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(
            {
                "connection": request.transport,
                "body": body,
                "token": request.headers.get("X-Token"),
                "auth": request.headers.get("Authorization"),
            }
        )
        if body.get("fail"):
            return web.Response(status=500, text="boom")
        return web.json_response({"echo": body})

    runner, url = await serve_post_on_loopback("/webhook", handle)
    return runner, url, seen


@pytest.fixture
async def endpoint() -> AsyncIterator[Tuple[str, Seen]]:
    runner, url, seen = await start_endpoint()
    yield url, seen
    await runner.cleanup()


async def test_requests_get_rasas_replies_over_one_connection(
    endpoint: Tuple[str, Seen], restore_rasas_session: None
) -> None:
    url, seen = endpoint
    config = EndpointConfig(
        url, headers={"X-Token": "t"}, basic_auth={"username": "u", "password": "p"}
    )
    rasas = [await config.request(json={"n": n}) for n in range(2)]
    use_kept_alive_endpoint_sessions()
    use_kept_alive_endpoint_sessions()  # a second install is harmless
    ours = [await config.request(json={"n": n}) for n in range(3)]

    assert ours[:2] == rasas == [{"echo": {"n": 0}}, {"echo": {"n": 1}}]
    assert (
        seen[0]["connection"] is not seen[1]["connection"]
    ), "Rasa's own calls each open a connection"
    assert all(
        call["connection"] is seen[2]["connection"] for call in seen[2:5]
    ), "the calls did not share a connection"
    assert all(call["token"] == "t" and call["auth"].startswith("Basic ") for call in seen)
    with pytest.raises(ClientResponseError) as error:
        await config.request(json={"fail": True})
    assert error.value.status == 500
    assert await config.request(json={"n": 9}) == {"echo": {"n": 9}}


async def test_endpoints_with_other_settings_get_their_own_session(
    restore_rasas_session: None,
) -> None:
    use_kept_alive_endpoint_sessions()
    plain, same, other = (
        EndpointConfig("http://a"),
        EndpointConfig("http://b"),
        EndpointConfig("http://a", headers={"X": "1"}),
    )
    assert isinstance(plain.session(), KeptSession)
    assert plain.session().session is same.session().session
    assert plain.session().session is not other.session().session


def test_each_event_loop_gets_its_own_session(restore_rasas_session: None) -> None:
    """Sanic workers, and tests, run their own loops; a session belongs to the loop that made it."""
    use_kept_alive_endpoint_sessions()

    async def call() -> Any:
        runner, url, _ = await start_endpoint()
        try:
            return await EndpointConfig(url).request(json={"n": 1})
        finally:
            await runner.cleanup()

    assert asyncio.run(call()) == asyncio.run(call()) == {"echo": {"n": 1}}
    assert len(_sessions) == 1, "the first loop's session is dropped once that loop has closed"
    uvloop_loop = uvloop.new_event_loop()  # what Sanic runs the Rasa server on
    try:
        assert uvloop_loop.run_until_complete(call()) == {"echo": {"n": 1}}
    finally:
        uvloop_loop.close()


@pytest.mark.parametrize(
    "settings",
    [{}, {"headers": {"X-Token": "t"}, "basic_auth": {"username": "u", "password": "p"}}],
)
async def test_the_session_is_built_as_rasas(settings: Dict[str, Any]) -> None:
    config = EndpointConfig("http://a", **settings)
    rasas, ours = RASAS_SESSION(config), new_session(config)
    try:
        assert dict(ours.headers) == dict(rasas.headers)
        assert ours.auth == rasas.auth
        assert ours.timeout == rasas.timeout
        assert (
            ours.connector._keepalive_timeout == IDLE_CONNECTION_S < 5
        )  # Sanic closes idle ones after 5 s
        assert (
            ours.connector.limit == 0
        )  # Rasa's session per request puts no cap on concurrent requests
    finally:
        await rasas.close()
        await ours.close()


async def test_a_connection_the_server_closed_is_not_reused(restore_rasas_session: None) -> None:
    use_kept_alive_endpoint_sessions()
    seen: Seen = []

    async def handle(request: web.Request) -> web.Response:
        seen.append({"connection": request.transport})
        return web.json_response({"ok": True})

    runner, url = await serve_post_on_loopback("/webhook", handle, keepalive_timeout=0.1)
    config = EndpointConfig(url)
    try:
        assert await config.request(json={}) == {"ok": True}
        await asyncio.sleep(1.5)  # aiohttp checks idle connections about once a second
        assert await config.request(json={}) == {"ok": True}
        assert seen[0]["connection"] is not seen[1]["connection"]
    finally:
        await runner.cleanup()


async def test_cookies_are_not_sent_back_as_rasa_s_session_per_request_never_did(
    restore_rasas_session: None,
) -> None:
    use_kept_alive_endpoint_sessions()
    cookies: List[Dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        cookies.append(dict(request.cookies))
        reply = web.json_response({"ok": True})
        reply.set_cookie("proxy", "sticky")
        return reply

    runner, url = await serve_post_on_loopback("/webhook", handle)
    try:
        config = EndpointConfig(url)
        assert await config.request(json={}) == await config.request(json={}) == {"ok": True}
        assert cookies == [{}, {}]
    finally:
        await runner.cleanup()
