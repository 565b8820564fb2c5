"""An aiohttp app on a free loopback port, for tests that need a real HTTP endpoint."""

from typing import Any, Awaitable, Callable, Tuple

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def serve_post_on_loopback(
    path: str, handler: Handler, **runner_options: Any
) -> Tuple[web.AppRunner, str]:
    """Serve `handler` for POST `path`; returns the runner (call `cleanup()`) and the URL."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}{path}"
