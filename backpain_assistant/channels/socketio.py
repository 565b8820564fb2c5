"""The website widget's socket.io channel, on top of Rasa's.

What this adds to Rasa's: each bot turn keeps its `metadata` (the widget shows the citation and
styles red flags from it); the citation is set on a line of its own, and a red flag opens with
a heading and carries the widget's `customCss` class `rw-red-flag`; a malformed or oversized
message gets an error reply instead of being dropped; a message that could not be handled is
apologised for; connections are accepted only from the page's own origin or the origins a
deployment names (Rasa's turns python-socketio's Origin check off); and a reloaded page rejoins
its conversation (Rasa 3.6 calls python-socketio's
`enter_room` without awaiting it, which python-socketio 5.10 and later made a coroutine, so
Rasa's own session persistence delivers nothing), but only with a session id this server issued:
Rasa's channel continues whatever conversation the client names (see conversation_ids).
"""

import inspect
import json
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from backpain_assistant.channels.conversation_ids import (
    conversation_id,
    is_issued_session_id,
    issued_or_new,
    recipient_of,
)
from backpain_assistant.channels.handling import CountsReplies, OnNewMessage, handle_or_apologise
from backpain_assistant.channels.rendering import turn_of
from backpain_assistant.channels.settings import from_environment
from backpain_assistant.channels.validation import problem_with

RED_FLAG_CSS = {"style": "class", "css": "rw-red-flag"}
NO_SESSION = "This chat lost its session. Please reload the page."
CHANNEL = "web"


def widget_message(message: Dict[Text, Any]) -> Dict[Text, Any]:
    turn = turn_of(message)
    paragraphs = [f"**{turn.heading}**"] if turn.heading else []
    paragraphs.append(turn.text)
    if turn.citation:
        paragraphs.append(f"*{turn.citation}*")
    metadata = dict(message.get("metadata") or {})
    if turn.heading:
        metadata["customCss"] = RED_FLAG_CSS
    out: Dict[Text, Any] = {"text": "\n\n".join(p for p in paragraphs if p), "metadata": metadata}
    if turn.buttons:
        out["quick_replies"] = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]}
            for b in turn.buttons
        ]
    return out


class MetadataSocketIOOutput(SocketIOOutput, CountsReplies):
    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.count_reply()
        await self._send_message(recipient_id, widget_message(message))

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        """To the session's room (or the socket), whose name is the conversation id without
        the channel's prefix."""
        await super()._send_message(recipient_of(CHANNEL, socket_id), response)


class WebsiteSocketIO(SocketIOInput):
    """Rasa's socket.io settings in credentials.yml (`session_persistence`, `metadata_key`…),
    and `allowed_origins_env`: the variable that lists, comma-separated, the other origins
    (`https://clinic.example.org`) whose pages may embed the widget."""

    allowed_origins: List[Text] = []

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        values, _ = from_environment(credentials, "allowed_origins")
        channel.allowed_origins = origins_of(values["allowed_origins"])
        return channel

    def blueprint(self, on_new_message: OnNewMessage) -> SocketBlueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        # None is engine.io's same-origin check (the Host header); Rasa's [] turns it off.
        sio.eio.cors_allowed_origins = self.allowed_origins or None

        async def handle_message(sid: Text, data: Any = None, *extra: Any) -> None:
            # A client may emit no argument, or several (a list is spread into arguments).
            output = MetadataSocketIOOutput(sio, self.bot_message_evt)
            data = data if isinstance(data, dict) else {}
            sender = data.get("session_id") if self.session_persistence else sid
            if not sender or (self.session_persistence and not is_issued_session_id(sender)):
                await output.send_response(sid, {"text": NO_SESSION, "metadata": {"kind": "error"}})
                return
            text, metadata = data.get("message"), metadata_of(data.get(self.metadata_key))
            problem = problem_with(sender, text, metadata)
            if problem:
                await output.send_response(sid, {"text": problem[1], "metadata": {"kind": "error"}})
                return
            if self.session_persistence:
                await join(
                    sid, sender
                )  # a client that skipped session_request still gets its answers
            conversation = conversation_id(CHANNEL, sender)
            message = UserMessage(
                text, output, conversation, input_channel=self.name(), metadata=metadata
            )
            await handle_or_apologise(on_new_message, message)

        async def session_request(sid: Text, data: Any = None, *extra: Any) -> None:
            """Resumes the session the page asks for if this server issued it; any other id
            (one made up, or another channel's) gets a new session, and the widget adopts it."""
            session_id = issued_or_new(data.get("session_id") if isinstance(data, dict) else None)
            if self.session_persistence:
                await join(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def join(sid: Text, session_id: Text) -> None:
            if session_id in (sio.rooms(sid, namespace=self.namespace) or []):
                return
            joined = sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(joined):
                await joined

        # Replace the handlers Rasa's blueprint registered for the same events.
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return socketio_webhook


def origins_of(setting: Optional[Text]) -> List[Text]:
    return [origin.strip().rstrip("/") for origin in (setting or "").split(",") if origin.strip()]


def metadata_of(value: Any) -> Optional[Any]:
    """The widget sends `customData` as an object, some clients as a JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value or None
