"""Services that accept connections and then never answer: the failure a refused connection
does not show (a blackholed host, a process stuck in a lock, a full disk).

Toxiproxy does this, but its server is a Go binary that neither PyPI nor Debian ships; these
few lines of sockets and threads are enough for loopback tests.
"""

import socket
import threading
from typing import List, Optional

from tests.support.servers import free_port

BUFFER = 65536


class HangingProxy:
    """Forwards loopback TCP to `upstream` until `hang()`; from then on every connection, open
    or new, is held open and nothing more reaches either side. `resume()` closes the held
    connections (their protocol state is lost) and forwards new ones again. Without an
    upstream it hangs from the start (a server that accepts and never answers)."""

    def __init__(self, upstream_port: Optional[int] = None):
        self.upstream_port = upstream_port
        self.hanging = upstream_port is None
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._connections: List[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hang(self) -> None:
        self.hanging = True

    def resume(self) -> None:
        with self._lock:
            held, self._connections = self._connections, []
        for connection in held:
            _close(connection)
        self.hanging = False

    def close(self) -> None:
        self._closed = True
        _close(self._listener)
        self.resume()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            pair = (
                (client,)
                if self.hanging
                else (client, socket.create_connection(("127.0.0.1", self.upstream_port)))
            )
            with self._lock:
                self._connections.extend(pair)
            if len(pair) == 1:
                threading.Thread(target=self._pump, args=(client, None), daemon=True).start()
            else:
                for source, sink in ((pair[0], pair[1]), (pair[1], pair[0])):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: Optional[socket.socket]) -> None:
        try:
            while True:
                data = source.recv(BUFFER)
                if not data:
                    break
                if sink is not None and not self.hanging:
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            if not self.hanging:
                _close(source)
                if sink is not None:
                    _close(sink)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()
