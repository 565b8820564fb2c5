"""What the setup installs is exactly what was locked: every package by version and sha256."""

import re

from tests.conftest import ROOT

LOCK = (ROOT / "requirements.lock").read_text()
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+) \\$")


def locked_blocks() -> dict:
    blocks, name = {}, None
    for line in LOCK.splitlines():
        match = PIN.match(line)
        if match:
            name = match.group(1)
            blocks[name] = []
        elif line.startswith("    --hash=sha256:") and name:
            blocks[name].append(line.split(":", 1)[1].rstrip(" \\"))
        elif line.strip() and not line.startswith("#"):
            raise AssertionError(f"not a pin or a hash: {line!r}")
    return blocks


def test_every_locked_package_has_sha256_hashes() -> None:
    blocks = locked_blocks()
    assert {"rasa", "rasa-sdk", "spacy", "pip", "setuptools", "wheel", "ruff"} <= set(blocks)
    for name, hashes in blocks.items():
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_the_setup_installs_with_require_hashes_and_the_project_without_dependencies() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert '--no-deps --no-build-isolation -e ".[dev]"' in makefile
    assert "-c requirements.lock" not in makefile, "constraints would let unlocked packages in"
