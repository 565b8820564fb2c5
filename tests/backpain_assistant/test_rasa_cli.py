import logging
import os

import pytest
import rasa.__main__ as rasa_entry_point
import rasa.core.actions.action as actions

from backpain_assistant import rasa_cli
from backpain_assistant.log_privacy import RASA_PAYLOAD_PARSER_LOGGER, WithholdPayloadParsingText


def test_request_bodies_are_capped_unless_the_deployment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE", raising=False)
    rasa_cli.cap_request_bodies()
    assert os.environ["SANIC_REQUEST_MAX_SIZE"] == str(64 * 1024)
    monkeypatch.setenv("SANIC_REQUEST_MAX_SIZE", "1000000")
    rasa_cli.cap_request_bodies()
    assert os.environ["SANIC_REQUEST_MAX_SIZE"] == "1000000"


def test_main_sets_everything_up_before_rasa_reads_its_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = {}

    def rasa_main() -> None:
        seen["body cap"] = os.environ.get("SANIC_REQUEST_MAX_SIZE")
        seen["log filter"] = any(
            isinstance(f, WithholdPayloadParsingText)
            for f in logging.getLogger(RASA_PAYLOAD_PARSER_LOGGER).filters
        )
        seen["action wait"] = actions.DEFAULT_REQUEST_TIMEOUT

    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE", raising=False)
    monkeypatch.setattr(rasa_cli, "apply_speedups", lambda: seen.setdefault("speed-ups", True))
    monkeypatch.setattr(rasa_entry_point, "main", rasa_main)

    monkeypatch.setattr(actions, "DEFAULT_REQUEST_TIMEOUT", actions.DEFAULT_REQUEST_TIMEOUT)
    rasa_cli.main()
    assert seen == {
        "body cap": str(64 * 1024),
        "log filter": True,
        "action wait": 5.0,
        "speed-ups": True,
    }
