"""What the production profile refuses to run without."""

import os
import subprocess

import pytest

from backpain_assistant.channels.rest import RestWithMetadata
from tests.conftest import ROOT


def test_make_production_without_a_rest_token_stops_before_starting_anything(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REST_TOKEN"}
    env["STACK_DIR"] = str(tmp_path / "stack")
    result = subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "REST_TOKEN" in result.stderr
    assert not (tmp_path / "stack").exists()


def test_the_rest_channel_refuses_to_start_without_a_required_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    credentials = {
        "token_env": "REST_TOKEN_FOR_TEST",
        "token_required_env": "REST_TOKEN_REQUIRED_FOR_TEST",
    }
    monkeypatch.delenv("REST_TOKEN_FOR_TEST", raising=False)
    monkeypatch.setenv("REST_TOKEN_REQUIRED_FOR_TEST", "true")
    with pytest.raises(ValueError, match="REST_TOKEN_FOR_TEST"):
        RestWithMetadata.from_credentials(credentials)
    monkeypatch.setenv("REST_TOKEN_FOR_TEST", "a-token")
    assert RestWithMetadata.from_credentials(credentials).token == "a-token"


def test_on_loopback_the_token_stays_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REST_TOKEN_FOR_TEST", raising=False)
    monkeypatch.delenv("REST_TOKEN_REQUIRED_FOR_TEST", raising=False)
    credentials = {
        "token_env": "REST_TOKEN_FOR_TEST",
        "token_required_env": "REST_TOKEN_REQUIRED_FOR_TEST",
    }
    assert RestWithMetadata.from_credentials(credentials).token is None
