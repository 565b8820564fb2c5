"""Deployment keys: the environment wins; otherwise every process reads the one key file."""

import multiprocessing
import stat
from pathlib import Path

import pytest

from backpain_assistant.channels.conversation_ids import conversation_id, recipient_of
from backpain_assistant.keys import deployment_key


def test_the_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEY_FOR_TEST", "from-the-environment")
    assert deployment_key("test", "KEY_FOR_TEST", tmp_path) == b"from-the-environment"
    assert not (tmp_path / "test.key").exists()


def test_without_it_a_private_key_file_is_written_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KEY_FOR_TEST", raising=False)
    first = deployment_key("test", "KEY_FOR_TEST", tmp_path)
    assert len(first) == 64 and first == deployment_key("test", "KEY_FOR_TEST", tmp_path)
    assert stat.S_IMODE((tmp_path / "test.key").stat().st_mode) == 0o600


def _key_in_a_new_process(key_dir: str) -> bytes:
    return deployment_key("race", "KEY_FOR_TEST_UNSET", Path(key_dir))


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        keys = pool.map(_key_in_a_new_process, [str(tmp_path)] * 16)
    assert len(set(keys)) == 1


def test_a_conversation_id_names_its_channel_and_gives_the_platform_its_own_id() -> None:
    assert conversation_id("telegram", 700123) == "telegram:700123"
    assert recipient_of("telegram", "telegram:700123") == "700123"
    assert recipient_of("rest", "rest:telegram:700123") == "telegram:700123"
    assert recipient_of("web", "not-prefixed") == "not-prefixed"
