import pytest

from backpain_assistant.channels.settings import from_environment, same_secret


def test_values_come_from_the_variables_credentials_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_FOR_TEST", "  a-token  ")
    monkeypatch.delenv("URL_FOR_TEST", raising=False)
    values, missing = from_environment(
        {"token_env": "TOKEN_FOR_TEST", "url_env": "URL_FOR_TEST"}, "token", "url", "not_configured"
    )
    assert values == {"token": "a-token", "url": None, "not_configured": None}
    assert missing == ["URL_FOR_TEST"], "only variables that credentials.yml names can be missing"


def test_a_blank_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_FOR_TEST", "   ")
    assert from_environment({"token_env": "TOKEN_FOR_TEST"}, "token") == (
        {"token": None},
        ["TOKEN_FOR_TEST"],
    )
    assert from_environment(None, "token") == ({"token": None}, [])


def test_secrets_are_equal_only_when_identical() -> None:
    assert same_secret("s3cret", "s3cret")
    assert not same_secret("s3cret ", "s3cret") and not same_secret("S3CRET", "s3cret")
