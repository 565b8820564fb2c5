"""Slack (Events API and interactive buttons), on top of Rasa's Slack connector.

What this adds to Rasa's: secrets from the environment (off without them); every bot turn as
one Block Kit message (red-flag heading, mrkdwn text, the citation as context, buttons);
a Web API base URL that can point elsewhere (tests use a local stand-in); redeliveries that
are not answered twice; malformed bodies rejected with a 400 (Rasa's handler fails on them with
a 500); and a message that could not be handled is apologised for in Slack instead of being
dropped.
"""

import asyncio
import html
import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from backpain_assistant.channels.conversation_ids import conversation_id, recipient_of
from backpain_assistant.channels.disabled import DisabledChannel
from backpain_assistant.channels.handling import (
    CountsReplies,
    OnNewMessage,
    already_handled,
    handle_or_apologise,
)
from backpain_assistant.channels.rendering import Turn, turn_of
from backpain_assistant.channels.settings import from_environment
from backpain_assistant.channels.validation import is_json

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
UNSIGNED = "The request is not signed with a valid X-Slack-Signature for the last five minutes."
MAX_BUTTONS = 25


def mrkdwn_escape(text: Text) -> Text:
    """Slack's control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks_of(turn: Turn) -> List[Dict[str, Any]]:
    blocks: List[Dict[str, Any]] = []
    if turn.heading:
        blocks.append(
            {"type": "header", "text": {"type": "plain_text", "text": turn.heading, "emoji": True}}
        )
    if turn.text:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn_escape(turn.text)}}
        )
    if turn.citation:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"_{mrkdwn_escape(turn.citation)}_"}],
            }
        )
    if turn.buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": b["title"][:75]},
                        "value": b["payload"][:2000],
                    }
                    for b in turn.buttons[:MAX_BUTTONS]
                ],
            }
        )
    return blocks


def fallback_text(turn: Turn) -> Text:
    """What notifications and clients without Block Kit show."""
    return "\n".join(part for part in (turn.heading, turn.text, turn.citation) if part)


class SlackOutput(SlackBot, CountsReplies):
    def __init__(
        self,
        token: Text,
        api_url: Text,
        channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
    ):
        super().__init__(token, channel, thread_id)
        self.client = AsyncWebClient(token, base_url=api_url)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.count_reply()
        turn = turn_of(message)
        await self._post_message(
            channel=self.slack_channel or recipient_of(self.name(), recipient_id),
            text=fallback_text(turn),
            blocks=blocks_of(turn),
        )


class SlackChannel(SlackInput):
    """credentials.yml: `bot_token_env`, `signing_secret_env` and optional `api_url_env`
    name the environment variables."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        values, missing = from_environment(credentials, "bot_token", "signing_secret", "api_url")
        if not values["bot_token"] or not values["signing_secret"]:
            return DisabledChannel(cls.name(), [m for m in missing if not m.endswith("API_URL")])
        return cls(
            slack_token=values["bot_token"],
            slack_signing_secret=values["signing_secret"],
            api_url=values["api_url"] or DEFAULT_API_URL,
            conversation_granularity=(credentials or {}).get("conversation_granularity", "sender"),
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
        )

    def __init__(self, api_url: Text = DEFAULT_API_URL, **kwargs: Any):
        super().__init__(**kwargs)
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"

    @staticmethod
    def _sanitize_user_message(text: Text, uids_to_remove: Optional[List[Text]]) -> Text:
        """Rasa's clean-up, then Slack's escapes undone: Slack sends "<" as "&lt;"."""
        return html.unescape(SlackInput._sanitize_user_message(text, uids_to_remove))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        slack_webhook = super().blueprint(on_new_message)

        @slack_webhook.middleware("request")
        async def reject_forged_or_malformed(request: Request) -> Optional[HTTPResponse]:
            """The signature is checked before the body is parsed: an unsigned body is never read."""
            if request.method != "POST":
                return None
            if not self.is_request_from_slack_authentic(request):
                return response.json({"error": UNSIGNED}, status=401)
            problem = malformed(request)
            return response.json({"error": problem}, status=400) if problem else None

        return slack_webhook

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        return SlackOutput(self.slack_token, self.api_url, channel or self.slack_channel, thread_id)

    async def process_message(
        self,
        request: Request,
        on_new_message: OnNewMessage,
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        """Answers in the background: Slack wants its 200 within three seconds."""
        event_id = event_id_of(request)
        sender_id = conversation_id(self.name(), sender_id)
        if await self._is_redelivery(request, sender_id, event_id):
            logger.info("slack.redelivery.ignored event=%s", event_id)
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        metadata = metadata or {}
        message = UserMessage(
            text,
            self.get_output_channel(
                metadata.get("out_channel"), metadata.get("thread_id") if self.use_threads else None
            ),
            sender_id,
            input_channel=self.name(),
            metadata=metadata,
            message_id=event_id,
        )
        task = asyncio.create_task(handle_or_apologise(on_new_message, message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return response.text("")

    async def _is_redelivery(
        self, request: Request, sender_id: Text, event_id: Optional[Text]
    ) -> bool:
        """A retry of an event whose first delivery is still being answered (Slack timed out),
        or that this conversation already holds."""
        if not request.headers.get(self.retry_num_header):
            return False
        if request.headers.get(self.retry_reason_header) in self.errors_ignore_retry:
            return True
        agent = getattr(request.app.ctx, "agent", None)
        return await already_handled(agent, sender_id, event_id)


def event_id_of(request: Request) -> Optional[Text]:
    if not is_json(request.content_type):
        return None
    body = request.json
    return body.get("event_id") if isinstance(body, dict) else None


def malformed(request: Request) -> Optional[Text]:
    """What is wrong with a POST that Rasa's Slack handler would fail on with a 500."""
    content_type = request.content_type or ""
    if is_json(content_type):
        try:
            body = request.json
        except Exception:
            return "The body is not valid JSON."
        if not isinstance(body, dict) or not isinstance(body.get("event", {}), dict):
            return "Send a Slack Events API object."
        return None
    if "x-www-form-urlencoded" in content_type:
        try:
            payload = json.loads(request.form["payload"][0])
        except Exception:
            return "Send an interactive payload in the `payload` field."
        actions = payload.get("actions") if isinstance(payload, dict) else None
        user = payload.get("user") if isinstance(payload, dict) else None
        if not (
            isinstance(actions, list)
            and actions
            and isinstance(actions[0], dict)
            and isinstance(user, dict)
        ):
            return "The interactive payload needs `actions` and `user`."
        return None
    return None
