"""Serves the demo page that embeds the chat widget, from the same origin as the socket.io channel."""

from pathlib import Path
from typing import Text

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from backpain_assistant.channels.handling import OnNewMessage

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
WIDGET = ROOT / "build" / "web" / "webchat.js"
NOT_BUILT = "// The chat widget is not built: run `make run` (it runs npm ci in web/).\n"
# Only this server: no fonts or scripts from a CDN (the widget asks for Google Fonts), no
# inline scripts. The widget styles its elements inline. 'self' covers ws:/wss: to this host
# (CSP Level 3), so the socket.io connection reaches this server only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'self'"
)
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}
JAVASCRIPT = "application/javascript; charset=utf-8"


class DemoPage(InputChannel):
    """GET /webhooks/website/ (the page), chat.js (starts the widget) and webchat.js (rasa-webchat)."""

    @classmethod
    def name(cls) -> Text:
        return "website"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        page = Blueprint("website_demo_page", __name__)

        @page.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            return await response.file(
                WEB / "index.html", mime_type="text/html; charset=utf-8", headers=HEADERS
            )

        @page.route("/chat.js", methods=["GET"])
        async def start_widget(request: Request) -> HTTPResponse:
            return await response.file(WEB / "chat.js", mime_type=JAVASCRIPT, headers=HEADERS)

        @page.route("/webchat.js", methods=["GET"])
        async def widget(request: Request) -> HTTPResponse:
            if not WIDGET.exists():
                return response.text(NOT_BUILT, status=503, content_type=JAVASCRIPT)
            return await response.file(WIDGET, mime_type=JAVASCRIPT, headers=HEADERS)

        return page
