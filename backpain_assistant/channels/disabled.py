from typing import Any, Awaitable, Callable, List, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class DisabledChannel(InputChannel):
    """A channel whose secrets are not set: its URLs answer 404 and say what to set."""

    def __init__(self, channel_name: Text, missing: List[Text]):
        self._channel_name = channel_name
        self.error = f"The {channel_name} channel is off on this server: set {', '.join(missing)}."

    def url_prefix(self) -> Text:
        return self._channel_name

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        disabled = Blueprint(f"disabled_{self._channel_name}", __name__)

        @disabled.route("/", methods=["GET"])
        @disabled.route("/webhook", methods=["GET", "POST"])
        async def off(request: Request) -> HTTPResponse:
            return response.json({"error": self.error}, status=404)

        return disabled
