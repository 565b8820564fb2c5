"""With several Sanic workers (`WORKERS=2`), each listens on its own socket and the kernel
spreads new connections over them.

Sanic 21.12 binds one listening socket in its main process and every worker accepts from it.
A burst of new connections (32 chat clients connecting at once) then goes mostly to the worker
that wakes first: splits of 24/8 and 25/7 came in two loads of eight, and as clients keep
their connections, the busier worker sets the p95 for as long as they stay.
`use_worker_sockets` makes the main process only reserve the address (bound, not listening)
and each worker listen on a socket of its own with `SO_REUSEPORT`; Linux then hands each new
connection to one of them by a hash of its addresses. One worker (`serve_single`) is unchanged, and so are Unix sockets.
"""

import socket
from ipaddress import ip_address
from typing import Any

import sanic.server.runners as runners

from backpain_assistant.rasa_speedups.source_checks import require_source

SANICS_SERVE = runners.serve


def bound_reuse_port_socket(family: int, address: Any) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def reserve_address(host: str, port: int, *, backlog: int = 100) -> socket.socket:
    """In place of Sanic's `bind_socket` in its main process: bound for the workers, not listening."""
    try:  # the address family as Sanic chooses it
        family = socket.AF_INET6 if ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        family = socket.AF_INET
    return bound_reuse_port_socket(family, (host, port))


def serve_on_own_socket(**settings: Any) -> Any:
    """Sanic's `serve` in a worker process, on its own listening socket at the reserved address."""
    reserved = settings.get("sock")
    if (
        settings.get("run_multiple")
        and reserved is not None
        and reserved.family in (socket.AF_INET, socket.AF_INET6)
    ):
        own = bound_reuse_port_socket(reserved.family, reserved.getsockname())
        own.listen(settings.get("backlog", 100))
        reserved.close()
        settings["sock"] = own
    return SANICS_SERVE(**settings)


def use_worker_sockets() -> None:
    if runners.serve is serve_on_own_socket:
        return
    require_source(
        runners.serve_multiple,
        "sock = bind_socket(",
        "target=serve,",
        message="Sanic's serve_multiple has changed; review rasa_speedups.worker_sockets.",
    )
    runners.bind_socket = reserve_address
    runners.serve = serve_on_own_socket
