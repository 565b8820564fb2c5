"""Slack: Block Kit rendering, and Events API payloads posted to a running assistant whose
answers go to a local stand-in of Slack's Web API."""

import json
import time
from urllib.parse import urlencode

import pytest

from backpain_assistant.channels.rendering import Turn
from backpain_assistant.channels.slack import blocks_of, mrkdwn_escape
from tests.support.channels import SlackUser, wait_for_new


def test_text_is_escaped_for_mrkdwn() -> None:
    assert mrkdwn_escape("<b> & <@U1>") == "&lt;b&gt; &amp; &lt;@U1&gt;"


def test_a_turn_becomes_heading_text_citation_and_buttons() -> None:
    turn = Turn(
        text="Call now.",
        heading="🚨 Possible emergency",
        citation="Source: x",
        buttons=[{"title": "Tell me more", "payload": "/tell_me_more"}],
    )
    assert [b["type"] for b in blocks_of(turn)] == ["header", "section", "context", "actions"]
    assert blocks_of(turn)[3]["elements"][0]["value"] == "/tell_me_more"


@pytest.fixture
def slack(channels_assistant, channel_standins) -> SlackUser:
    return SlackUser(channels_assistant, channel_standins.slack_api)


def test_a_signed_message_is_answered_with_its_citation(slack: SlackUser) -> None:
    answers = slack.say("does trazodone help back pain?")
    context = [b for a in answers for b in a["blocks"] if b["type"] == "context"]
    assert any(
        "trazodone article, Conclusion" in c["elements"][0]["text"] for c in context
    ), answers


def test_a_red_flag_arrives_under_an_emergency_heading(slack: SlackUser) -> None:
    answers = slack.say("my dad took a whole bottle of xanax and won't wake up")
    assert (
        answers[0]["blocks"][0]["type"] == "header"
        and "emergency" in answers[0]["blocks"][0]["text"]["text"]
    )


@pytest.mark.parametrize("problem", ["wrong secret", "expired", "unsigned"])
def test_a_request_that_is_not_from_slack_is_rejected(slack: SlackUser, problem: str) -> None:
    event = slack.event("does xanax help back pain?")
    if problem == "wrong secret":
        reply = slack.post(event, secret="not-the-secret")
    elif problem == "expired":
        reply = slack.post(event, timestamp=int(time.time()) - 10 * 60)
    else:
        reply = slack.post(event, headers={"X-Slack-Signature": ""})
    assert reply.status_code == 401
    time.sleep(1)
    assert slack.answers() == []


@pytest.mark.parametrize("reason", ["http_timeout", "http_error"])
def test_a_retry_of_an_answered_event_is_not_answered_again(slack: SlackUser, reason: str) -> None:
    event = slack.event("what are the side effects of xanax?")
    assert slack.post(event).status_code == 200
    answers = wait_for_new(slack.answers, 0)
    assert answers
    retry = slack.post(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason})
    assert retry.status_code == 200
    time.sleep(2)
    assert len(slack.answers()) == len(answers)


def test_the_url_verification_challenge_is_answered(slack: SlackUser) -> None:
    reply = slack.post({"type": "url_verification", "token": "t", "challenge": "abc123"})
    assert reply.status_code == 200 and reply.json() == "abc123"


@pytest.mark.parametrize("raw", [b"[1, 2]", b"{not json", b'{"event": "text"}'])
def test_a_malformed_signed_body_gets_a_400(slack: SlackUser, raw: bytes) -> None:
    assert slack.post(None, raw=raw).status_code == 400


def test_a_button_click_is_answered(slack: SlackUser) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": slack.user},
        "channel": {"id": slack.channel},
        "actions": [{"type": "button", "value": "does xanax help back pain?"}],
        "message": {"ts": "1.0"},
    }
    before = len(slack.answers())
    body = urlencode({"payload": json.dumps(payload)}).encode()
    reply = slack.post(None, raw=body, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 200, reply.text
    slack.api.wait_for(lambda: len(slack.answers()) > before)


def test_slacks_escapes_in_user_text_are_undone() -> None:
    from backpain_assistant.channels.slack import SlackChannel

    assert (
        SlackChannel._sanitize_user_message("is 5 &lt; 6 &amp; <@UBOT> ok?", ["UBOT"])
        == "is 5 < 6 & ok?"
    )
