"""A speed-up installs only over the code it was written against."""

import pytest

from backpain_assistant.rasa_speedups.source_checks import require_source


def replaced_code() -> None:
    session = "async with self.session() as session"  # noqa: F841


def test_code_that_reads_as_expected_passes() -> None:
    require_source(replaced_code, "async with self.session()", "as session", message="changed")


def test_code_missing_any_expected_piece_is_refused_with_the_message() -> None:
    with pytest.raises(RuntimeError, match="^Rasa changed; review$"):
        require_source(
            replaced_code,
            "async with self.session()",
            "self.other()",
            message="Rasa changed; review",
        )
