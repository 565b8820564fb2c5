"""Telegram through the Bot API's webhook, with the secret token Telegram sends back.

Rasa's Telegram connector accepts any POST to its webhook; this one registers the webhook with
a `secret_token` and rejects updates without the matching `X-Telegram-Bot-Api-Secret-Token`
header. Bot turns are sent as HTML (escaped), red flags under a bold heading, the citation in
italics, suggestions as inline buttons whose `callback_data` fits Telegram's 64 bytes.
"""

import html
import logging
from typing import Any, Dict, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from backpain_assistant.channels.conversation_ids import conversation_id, recipient_of
from backpain_assistant.channels.disabled import DisabledChannel
from backpain_assistant.channels.handling import (
    CountsReplies,
    OnNewMessage,
    already_handled,
    handle_or_apologise,
)
from backpain_assistant.channels.rendering import Turn, turn_of
from backpain_assistant.channels.settings import from_environment, same_secret
from backpain_assistant.channels.validation import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_BYTES = 64
TITLE_PREFIX = "t:"
ALLOWED_UPDATES = ["message", "callback_query"]
ONLY_TEXT = "I can only read text messages. Please type your question."
TOO_LONG = f"That message is longer than {MAX_MESSAGE_CHARS} characters; please shorten it."


class TelegramBotApi:
    """The Bot API over one HTTP session per server process, opened on first use (inside the
    server's event loop) and reused, so a reply does not open a new connection to Telegram."""

    def __init__(self, token: Text, api_url: Text = DEFAULT_API_URL):
        self._url = f"{api_url.rstrip('/')}/bot{token}/"
        self._session: Optional[aiohttp.ClientSession] = None

    async def call(self, method: Text, payload: Dict[Text, Any]) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        async with self._session.post(self._url + method, json=payload) as reply:
            body = await reply.json(content_type=None)
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else reply.status
            raise RuntimeError(f"Telegram {method} failed: {description}")
        return body.get("result")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def callback_data(button: Dict[Text, Any]) -> Text:
    """The payload when it fits in 64 bytes, else the title (sent as if the person typed it)."""
    payload = str(button["payload"])
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_BYTES:
        return payload
    title = TITLE_PREFIX + str(button["title"])
    return title.encode("utf-8")[:CALLBACK_DATA_BYTES].decode("utf-8", errors="ignore")


def text_of_callback(data: Text) -> Text:
    return data[len(TITLE_PREFIX) :] if data.startswith(TITLE_PREFIX) else data


def html_of(turn: Turn) -> Text:
    parts = [f"<b>{html.escape(turn.heading)}</b>"] if turn.heading else []
    parts.append(html.escape(turn.text))
    if turn.citation:
        parts.append(f"<i>{html.escape(turn.citation)}</i>")
    return "\n".join(p for p in parts if p)


def send_message_payload(chat_id: Text, message: Dict[Text, Any]) -> Dict[Text, Any]:
    turn = turn_of(message)
    payload: Dict[Text, Any] = {"chat_id": chat_id, "text": html_of(turn), "parse_mode": "HTML"}
    if turn.buttons:
        payload["reply_markup"] = {
            "inline_keyboard": [
                [{"text": b["title"], "callback_data": callback_data(b)}] for b in turn.buttons
            ]
        }
    return payload


class TelegramOutput(OutputChannel, CountsReplies):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, api: TelegramBotApi):
        self.api = api

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.count_reply()
        await self.api.call(
            "sendMessage", send_message_payload(recipient_of(self.name(), recipient_id), message)
        )


Incoming = Tuple[Text, Text, Optional[Text]]


def incoming_of(update: Dict[Text, Any]) -> Optional[Incoming]:
    """(chat id, text, callback query id) of a text message or a button press, else None."""
    query = update.get("callback_query")
    if isinstance(query, dict):
        chat = ((query.get("message") or {}).get("chat") or {}).get("id") or (
            query.get("from") or {}
        ).get("id")
        if chat is not None and isinstance(query.get("data"), str):
            return str(chat), text_of_callback(query["data"]), query.get("id")
        return None
    message = update.get("message")
    if (
        isinstance(message, dict)
        and isinstance(message.get("chat"), dict)
        and "id" in message["chat"]
    ):
        text = message.get("text")
        return str(message["chat"]["id"]), text if isinstance(text, str) else "", None
    return None


class TelegramChannel(InputChannel):
    """credentials.yml: `bot_token_env`, `secret_token_env`, and optional `webhook_url_env`
    (the public URL to register at start-up) and `api_url_env` name the environment variables."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        values, missing = from_environment(
            credentials, "bot_token", "secret_token", "webhook_url", "api_url"
        )
        if not values["bot_token"] or not values["secret_token"]:
            required = [m for m in missing if m.endswith(("BOT_TOKEN", "SECRET_TOKEN"))]
            return DisabledChannel(cls.name(), required)
        return cls(
            values["bot_token"],
            values["secret_token"],
            values["webhook_url"],
            values["api_url"] or DEFAULT_API_URL,
        )

    def __init__(
        self,
        bot_token: Text,
        secret_token: Text,
        webhook_url: Optional[Text],
        api_url: Text = DEFAULT_API_URL,
    ):
        self.api = TelegramBotApi(bot_token, api_url)
        self.secret_token = secret_token
        self.webhook_url = webhook_url

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.api)

    async def register_webhook(self) -> None:
        await self.api.call(
            "setWebhook",
            {
                "url": self.webhook_url,
                "secret_token": self.secret_token,
                "allowed_updates": ALLOWED_UPDATES,
            },
        )
        logger.info("telegram.webhook.registered")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        telegram = Blueprint("telegram_webhook_with_secret", __name__)

        @telegram.listener("after_server_start")
        async def register(app: Any, loop: Any) -> None:
            if self.webhook_url:
                try:
                    await self.register_webhook()
                except Exception as error:
                    logger.error("telegram.webhook.registration.failure error=%s", error)

        @telegram.listener("before_server_stop")
        async def close_session(app: Any, loop: Any) -> None:
            await self.api.close()

        @telegram.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not same_secret(request.headers.get(SECRET_HEADER, ""), self.secret_token):
                return response.json({"error": "Missing or wrong secret token."}, status=401)
            try:
                update = request.json
            except Exception:
                update = None
            if not isinstance(update, dict):
                return response.json(
                    {"error": "The body is not a Telegram Update object."}, status=400
                )
            incoming = incoming_of(update)
            if incoming is None:
                return response.json({"status": "ignored"})
            try:
                await self._answer(request, on_new_message, update, *incoming)
            except Exception as error:
                # Telegram's Bot API unreachable: Telegram redelivers the update after a 5xx.
                logger.error("telegram.update.failure error=%s", type(error).__name__)
                return response.json({"error": "Could not reach Telegram's Bot API."}, status=503)
            return response.json({"status": "ok"})

        return telegram

    async def _answer(
        self,
        request: Request,
        on_new_message: OnNewMessage,
        update: Dict[Text, Any],
        chat_id: Text,
        text: Text,
        callback_query_id: Optional[Text],
    ) -> None:
        output = self.get_output_channel()
        if callback_query_id:
            await self._acknowledge_button(callback_query_id)
        problem = (
            ONLY_TEXT if not text.strip() else TOO_LONG if len(text) > MAX_MESSAGE_CHARS else None
        )
        if problem:
            await output.send_response(chat_id, {"text": problem, "metadata": {"kind": "error"}})
            return
        message_id = f"telegram-{update.get('update_id')}"
        conversation = conversation_id(self.name(), chat_id)
        if await already_handled(getattr(request.app.ctx, "agent", None), conversation, message_id):
            logger.info("telegram.redelivery.ignored update=%s", update.get("update_id"))
            return
        message = UserMessage(
            text, output, conversation, input_channel=self.name(), message_id=message_id
        )
        await handle_or_apologise(on_new_message, message)

    async def _acknowledge_button(self, callback_query_id: Text) -> None:
        try:
            await self.api.call("answerCallbackQuery", {"callback_query_id": callback_query_id})
        except Exception as error:
            logger.warning("telegram.callback.ack.failure error=%s", error)
