import requests

from backpain_assistant.channels.disabled import DisabledChannel


def test_the_error_names_what_to_set() -> None:
    channel = DisabledChannel("slack", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
    assert channel.url_prefix() == "slack"
    assert (
        channel.error
        == "The slack channel is off on this server: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET."
    )


def test_a_channel_without_its_secrets_answers_404_saying_what_to_set(assistant: str) -> None:
    """`assistant` runs with no Slack or Telegram secrets, as `make run` does by default."""
    for channel, variable in (
        ("slack", "SLACK_SIGNING_SECRET"),
        ("telegram", "TELEGRAM_SECRET_TOKEN"),
    ):
        for reply in (
            requests.get(f"{assistant}/webhooks/{channel}/", timeout=10),
            requests.post(f"{assistant}/webhooks/{channel}/webhook", json={}, timeout=10),
        ):
            assert reply.status_code == 404 and variable in reply.json()["error"]
