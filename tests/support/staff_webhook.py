"""A local stand-in for a staff webhook (such as a Slack incoming webhook) that records posts."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List


class StaffWebhook:
    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def notices_for(self, conversation: str) -> List[str]:
        return [post["text"] for post in self.received if f"conversation {conversation}." in post["text"]]

    def close(self) -> None:
        self._server.shutdown()
