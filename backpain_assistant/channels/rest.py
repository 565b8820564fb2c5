from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from backpain_assistant.channels.conversation_ids import conversation_id, recipient_of
from backpain_assistant.channels.handling import UNAVAILABLE, CountsReplies, handle
from backpain_assistant.channels.settings import from_environment, same_secret
from backpain_assistant.channels.validation import MAX_REQUEST_BYTES, Problem, is_json, problem_with


TRUE_VALUES = {"1", "true", "yes"}


class MetadataCollectingOutputChannel(CollectingOutputChannel, CountsReplies):
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

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        await self._collect(recipient_id, kwargs, custom=json_message)

    async def _collect(
        self, recipient_id: Text, response_fields: Dict[Text, Any], **parts: Any
    ) -> None:
        self.count_reply()
        message = {
            "recipient_id": recipient_of(self.name(), recipient_id),
            **parts,
            "metadata": response_fields.get("metadata") or {},
        }
        await self._persist_message(message)


class RestWithMetadata(InputChannel):
    """`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`.

    Replies with a JSON list of bot turns: `text`, optional `buttons`, and `metadata`
    (`kind`, and `source` for answers or `red_flag` for escalations). The conversation is
    `rest:<sender>`: no REST client can name another channel's conversation. A malformed request
    gets a 400, 413 or 415 with an `error` that says what is wrong; a message that could not
    be handled (its conversation's store or lock unreachable) a 503 to retry. When the
    environment variable that credentials.yml names in `token_env` is set, requests must
    carry it as `Authorization: Bearer <token>` (401 otherwise).
    """

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Refuses to start without a token when the variable `token_required_env` names is
        true (the production profile sets it): off loopback, anyone could post."""
        values, missing = from_environment(credentials, "token", "token_required")
        if not values["token"] and (values["token_required"] or "").lower() in TRUE_VALUES:
            raise ValueError(
                f"The REST channel needs a token here: set {' or '.join(missing[:1]) or 'its token'}."
            )
        return cls(values["token"])

    def __init__(self, token: Optional[Text] = None):
        self.token = token

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.listener("before_server_start")
        async def answer_oversized_bodies_clearly(app: Any, loop: Any) -> None:
            """For every route of the server: Sanic's own 413 is an HTML page."""
            app.error_handler.add(PayloadTooLarge, too_large)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorised(request, self.token):
                return response.json(
                    {"error": "Send the REST token as: Authorization: Bearer <token>."},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            parsed, problem = parse_request(request)
            if problem is not None:
                status, error = problem
                return response.json({"error": error}, status=status)
            sender_id, text, metadata = parsed
            collector = MetadataCollectingOutputChannel()
            conversation = conversation_id(self.name(), sender_id)
            message = UserMessage(
                text, collector, conversation, input_channel=self.name(), metadata=metadata
            )
            if await handle(on_new_message, message) is not None:
                return response.json(
                    {"error": UNAVAILABLE}, status=503, headers={"Retry-After": "5"}
                )
            return response.json(collector.messages)

        return webhook


ParsedRequest = Tuple[Text, Text, Optional[Dict[Text, Any]]]
TOO_LARGE = (
    f"The request is larger than {MAX_REQUEST_BYTES // 1024} KB; please shorten the message."
)


def too_large(request: Request, exception: Exception) -> HTTPResponse:
    return response.json({"error": TOO_LARGE}, status=413)


def parse_request(request: Request) -> Tuple[Optional[ParsedRequest], Optional[Problem]]:
    """(sender, message, metadata), or the HTTP status and error to answer with."""
    if not is_json(request.content_type):
        return None, (415, "Send JSON with Content-Type: application/json.")
    try:
        body = request.json
    except Exception:
        return None, (400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        return None, (400, 'Send a JSON object: {"sender": "...", "message": "..."}.')
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    problem = problem_with(sender, text, metadata)
    return (None, problem) if problem else ((sender, text, metadata), None)


def authorised(request: Request, token: Optional[Text]) -> bool:
    if not token:
        return True
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and same_secret(given.strip(), token)
