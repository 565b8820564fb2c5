import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from backpain_assistant.tracker_stores.unavailable import ConversationStoreUnavailable

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5_000
MAX_SENDER_CHARS = 128
MAX_METADATA_CHARS = 5_000
UNAVAILABLE = (
    "The assistant could not handle this message just now. Please try again in a moment. "
    "If this is an emergency, call your local emergency number now."
)


class MetadataCollectingOutputChannel(CollectingOutputChannel):
    """Collects one JSON object per bot turn, each with the response's `metadata`.

    Unlike Rasa's collector it keeps a turn's text whole (Rasa splits it at blank lines),
    so every object a client receives carries its turn's kind and citation.
    """

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._collect(recipient_id, kwargs, text=text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._collect(recipient_id, kwargs, text=text, buttons=buttons)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._collect(recipient_id, kwargs, image=image)

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self._collect(recipient_id, kwargs, attachment=attachment)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._collect(recipient_id, kwargs, custom=json_message)

    async def _collect(self, recipient_id: Text, response_fields: Dict[Text, Any], **parts: Any) -> None:
        message = {"recipient_id": recipient_id, **parts, "metadata": response_fields.get("metadata") or {}}
        await self._persist_message(message)


class RestWithMetadata(InputChannel):
    """`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`.

    Replies with a JSON list of bot turns: `text`, optional `buttons`, and `metadata`
    (`kind`, and `source` for answers or `red_flag` for escalations). A malformed request
    gets a 400, 413 or 415 with an `error` that says what is wrong; a message that could not
    be handled (its conversation's store or lock unreachable) a 503 to retry.
    """

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed, problem = parse_request(request)
            if problem is not None:
                status, error = problem
                return response.json({"error": error}, status=status)
            sender_id, text, metadata = parsed
            collector = MetadataCollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender_id, input_channel=self.name(), metadata=metadata)
                )
            except (ConversationStoreUnavailable, CancelledError, Exception) as error:
                return unavailable(sender_id, error)
            return response.json(collector.messages)

        return webhook


def unavailable(sender_id: Text, error: BaseException) -> HTTPResponse:
    """A 503 the client can retry on, when the message could not be handled (a store or lock down).

    The error's text is logged only at DEBUG: database errors quote the statement's
    parameters, which hold what the person wrote.
    """
    logger.error("rest.message.failure sender=%s error=%s", sender_id, type(error).__name__)
    logger.debug("rest.message.failure details", exc_info=error)
    return response.json(
        {"error": UNAVAILABLE},
        status=503,
        headers={"Retry-After": "5"},
    )


ParsedRequest = Tuple[Text, Text, Optional[Dict[Text, Any]]]


def parse_request(request: Request) -> Tuple[Optional[ParsedRequest], Optional[Tuple[int, Text]]]:
    """(sender, message, metadata), or the HTTP status and error to answer with."""
    if "json" not in (request.content_type or ""):
        return None, (415, "Send JSON with Content-Type: application/json.")
    try:
        body = request.json
    except Exception:
        return None, (400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        return None, (400, 'Send a JSON object: {"sender": "...", "message": "..."}.')
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return None, (400, f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.')
    if not isinstance(text, str) or not text.strip():
        return None, (400, '"message" must be a non-empty string.')
    if len(text) > MAX_MESSAGE_CHARS:
        return None, (413, f'"message" is longer than {MAX_MESSAGE_CHARS} characters; please shorten it.')
    if not (is_unicode(sender) and is_unicode(text)):
        return None, (400, '"sender" and "message" must be valid Unicode text (no lone surrogates).')
    if metadata is not None and not isinstance(metadata, dict):
        return None, (400, '"metadata" must be a JSON object.')
    if metadata is not None and len(json.dumps(metadata)) > MAX_METADATA_CHARS:
        return None, (413, f'"metadata" is larger than {MAX_METADATA_CHARS} characters of JSON.')
    return (sender, text, metadata), None


def is_unicode(text: Text) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
