"""A local HTTP server that records the JSON posted to it and answers with JSON: the stand-in
for a staff webhook, Slack's Web API and Telegram's Bot API in tests."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple

Reply = Callable[[str, Dict[str, Any]], Dict[str, Any]]
Post = Tuple[str, Dict[str, Any]]


class RecordingServer:
    def __init__(self, reply: Reply = lambda path, body: {"ok": True}):
        self.received: List[Post] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                body = (
                    json.loads(raw)
                    if raw and "json" in (self.headers.get("Content-Type") or "")
                    else {}
                )
                received.append((self.path, body))
                answer = json.dumps(reply(self.path, body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def posts_to(self, path_end: str) -> List[Dict[str, Any]]:
        return [body for path, body in list(self.received) if path.endswith(path_end)]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received: {self.received[-5:]}")
            time.sleep(0.05)

    def close(self) -> None:
        self._server.shutdown()
