"""The NLU floor on the held-out test sets (tests/nlu/*.yml): intent macro-F1 >= 0.95.

`rasa test nlu` runs the whole trained pipeline (fallback and red-flag routing included)
on every test file together and writes its reports to results/nlu/.
"""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import MODEL, ROOT

TEST_SET = ROOT / "tests" / "nlu"
REPORT_DIR = ROOT / "results" / "nlu"
MACRO_F1_FLOOR = 0.95


def examples(path: Path):
    """(intent, text) of an NLU file, or of every NLU file in a folder."""
    if path.is_dir():
        for file in sorted(path.glob("*.yml")):
            yield from examples(file)
        return
    data = yaml.safe_load(path.read_text())
    for block in data.get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield block["intent"], line.strip()[2:].strip()


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def test_the_test_set_is_large_and_not_in_the_training_data() -> None:
    test = [text for _, text in examples(TEST_SET)]
    training = {
        normalised(t) for path in (ROOT / "data" / "nlu").glob("*.yml") for _, t in examples(path)
    }
    assert len(test) >= 300
    assert len({normalised(t) for t in test}) == len(test), "a message is in two test files"
    assert [t for t in test if normalised(t) in training] == []


def test_intent_macro_f1_meets_the_floor() -> None:
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "nlu",
            "--nlu",
            str(TEST_SET),
            "--model",
            str(MODEL),
            "--out",
            str(REPORT_DIR),
            "--no-plot",
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
    )
    report = json.loads((REPORT_DIR / "intent_report.json").read_text())
    macro_f1 = report["macro avg"]["f1-score"]
    print(f"intent macro-F1 {macro_f1:.4f}, accuracy {report['accuracy']:.4f}")
    assert (
        macro_f1 >= MACRO_F1_FLOOR
    ), f"macro-F1 {macro_f1:.4f}; see {REPORT_DIR / 'intent_errors.json'}"
