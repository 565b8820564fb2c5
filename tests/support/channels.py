"""Clients that talk to a running assistant the way Slack, Telegram and the website widget do,
and local stand-ins for Slack's Web API and Telegram's Bot API."""

import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any, Dict, List, Optional

import requests
import socketio

from tests.support.recording_server import RecordingServer

SLACK_SIGNING_SECRET = "test-slack-signing-secret"
SLACK_BOT_TOKEN = "xoxb-test-token"
TELEGRAM_BOT_TOKEN = "123456:test-telegram-token"
TELEGRAM_SECRET_TOKEN = "test-telegram-secret_1"
REST_TOKEN = "test-rest-token"
QUIET_SECONDS = 1.0

_ids = itertools.count(1)


def _telegram_reply(path: str, body: Dict[str, Any]) -> Dict[str, Any]:
    if path.endswith("/sendMessage"):
        return {
            "ok": True,
            "result": {"message_id": next(_ids), "chat": {"id": body.get("chat_id")}, "date": 0},
        }
    return {"ok": True, "result": True}


class ChannelStandIns:
    def __init__(self) -> None:
        self.slack_api = RecordingServer(
            lambda path, body: {"ok": True, "channel": body.get("channel"), "ts": "1.0"}
        )
        self.telegram_api = RecordingServer(_telegram_reply)
        self.telegram_webhook_url = "https://assistant.example.org/webhooks/telegram/webhook"

    def environment(self) -> Dict[str, str]:
        return {
            "REST_TOKEN": REST_TOKEN,
            "SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
            "SLACK_API_URL": f"{self.slack_api.url}/api/",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_BOT_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET_TOKEN,
            "TELEGRAM_WEBHOOK_URL": self.telegram_webhook_url,
            "TELEGRAM_API_URL": self.telegram_api.url,
        }

    def close(self) -> None:
        self.slack_api.close()
        self.telegram_api.close()


def slack_signature(body: bytes, timestamp: str, secret: str = SLACK_SIGNING_SECRET) -> str:
    digest = hmac.new(
        secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"v0={digest}"


class SlackUser:
    """A person writing to the bot in a Slack direct message."""

    def __init__(self, base_url: str, api: RecordingServer):
        n = next(_ids)
        self.url = f"{base_url}/webhooks/slack/webhook"
        self.api = api
        self.user, self.channel = f"U{n:06d}", f"D{n:06d}"

    def event(self, text: str, event_id: Optional[str] = None) -> Dict[str, Any]:
        return {
            "type": "event_callback",
            "team_id": "T000001",
            "api_app_id": "A000001",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"user_id": "UBOT00001", "is_bot": True}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": self.channel,
                "user": self.user,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
        }

    def post(
        self,
        body: Any,
        headers: Optional[Dict[str, str]] = None,
        timestamp: Optional[int] = None,
        secret: str = SLACK_SIGNING_SECRET,
        raw: Optional[bytes] = None,
        content_type: str = "application/json",
    ) -> requests.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": slack_signature(data, stamp, secret),
        }
        return requests.post(self.url, data=data, headers={**signed, **(headers or {})}, timeout=30)

    def answers(self) -> List[Dict[str, Any]]:
        return [
            post
            for post in self.api.posts_to("/chat.postMessage")
            if post.get("channel") == self.channel
        ]

    def say(self, text: str) -> List[Dict[str, Any]]:
        before = len(self.answers())
        reply = self.post(self.event(text))
        assert reply.status_code == 200, reply.text
        return wait_for_new(self.answers, before)


class TelegramUser:
    """A person writing to the bot in a private Telegram chat."""

    def __init__(self, base_url: str, api: RecordingServer):
        self.url = f"{base_url}/webhooks/telegram/webhook"
        self.api = api
        self.chat_id = 700_000_000 + next(_ids)

    def message_update(self, text: str, update_id: Optional[int] = None) -> Dict[str, Any]:
        return {
            "update_id": update_id or next(_ids),
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "text": text,
                "chat": {"id": self.chat_id, "type": "private", "first_name": "Test"},
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "Test"},
            },
        }

    def button_update(self, data: str) -> Dict[str, Any]:
        return {
            "update_id": next(_ids),
            "callback_query": {
                "id": f"cb{next(_ids)}",
                "data": data,
                "chat_instance": "1",
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "Test"},
                "message": {
                    "message_id": next(_ids),
                    "date": 0,
                    "chat": {"id": self.chat_id, "type": "private"},
                },
            },
        }

    def post(
        self, body: Any, secret: Optional[str] = TELEGRAM_SECRET_TOKEN, raw: Optional[bytes] = None
    ) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = raw if raw is not None else json.dumps(body).encode()
        return requests.post(self.url, data=data, headers=headers, timeout=30)

    def answers(self) -> List[Dict[str, Any]]:
        return [
            post
            for post in self.api.posts_to("/sendMessage")
            if post.get("chat_id") == str(self.chat_id)
        ]

    def send(self, update: Dict[str, Any]) -> List[Dict[str, Any]]:
        before = len(self.answers())
        reply = self.post(update)
        assert reply.status_code == 200, reply.text
        return self.answers()[before:]

    def say(self, text: str) -> List[Dict[str, Any]]:
        return self.send(self.message_update(text))


class WidgetUser:
    """The website widget's side of the socket.io channel (session persistence on)."""

    def __init__(
        self, base_url: str, session_id: Optional[str] = None, request_session: bool = True
    ):
        """Like rasa-webchat: asks to resume `session_id` (a stored one) and adopts the id the
        server confirms, which is a new one unless the server issued `session_id`."""
        self.session_id = session_id or f"session-{next(_ids)}"
        self.received: List[Dict[str, Any]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.append)
        confirmed = threading.Event()
        self.client.on(
            "session_confirm",
            lambda session_id: (setattr(self, "session_id", session_id), confirmed.set()),
        )
        self.client.connect(
            base_url, socketio_path="/socket.io/", transports=["polling"], wait_timeout=10
        )
        if request_session:
            self.client.emit("session_request", {"session_id": self.session_id})
            assert confirmed.wait(10), "no session_confirm"

    def emit(self, data: Any) -> List[Dict[str, Any]]:
        before = len(self.received)
        self.client.emit("user_uttered", data)
        return wait_for_new(lambda: self.received, before)

    def say(self, text: str) -> List[Dict[str, Any]]:
        return self.emit({"message": text, "session_id": self.session_id, "customData": {}})

    def close(self) -> None:
        # Over long-polling, the client's disconnect waits for the open poll (up to 25 s).
        threading.Thread(target=self.client.disconnect, daemon=True).start()
        time.sleep(0.2)


def wait_for_new(items: Any, before: int, timeout: float = 20.0) -> List[Dict[str, Any]]:
    """The items that arrived after the first `before`, once none has come for a quiet second."""
    deadline = time.monotonic() + timeout
    count, last_change = len(items()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = len(items())
        if now != count:
            count, last_change = now, time.monotonic()
        elif count > before and time.monotonic() - last_change >= QUIET_SECONDS:
            break
    return list(items())[before:]
