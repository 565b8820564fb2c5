"""The sentence encoder's own cost, in a fresh process pinned to one core (part of `make bench`).

    .venv/bin/python scripts/bench_encoder.py [--json FILE]

Measures the model load (manifest and hash checks included), the resident memory it adds,
and the time per message, each embedded alone as the assistant serves it, for two kinds of
message: the bench conversation's chat turns, and real posts from the outside sets' dev part
(much longer: the time grows with the length). Targets: load <= 2 s, <= 150 MB more resident
memory, <= 5 ms per chat message (median) on one core.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENCODER_DIR = ROOT / "build" / "encoder" / "all-MiniLM-L6-v2"
TARGETS = {"load_s": 2.0, "added_rss_mb": 150.0, "chat_p50_ms": 5.0}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def message_sets() -> Dict[str, List[str]]:
    from scripts.bench import CONVERSATION
    from backpain_assistant.outside_sets import load_items

    return {
        "chat": CONVERSATION,
        "posts": [item.text for item in load_items(ROOT / "tests" / "outside", "dev")],
    }


def timings_ms(encoder, texts: List[str], rounds: int) -> List[float]:
    found = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            encoder.embed_many([text])
            found.append((time.perf_counter() - started) * 1000)
    return found


def measure() -> Dict[str, float]:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sets = message_sets()
    import numpy  # noqa: F401  (loaded by the server before the encoder anyway)
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401

    before = rss_mb()
    started = time.perf_counter()
    from backpain_assistant.sentence_encoder.encoder import SentenceEncoder

    encoder = SentenceEncoder(ENCODER_DIR)
    result: Dict[str, float] = {"load_s": round(time.perf_counter() - started, 3)}
    for name, texts in sets.items():
        timings_ms(encoder, texts, 1)  # warm-up
        timings = sorted(timings_ms(encoder, texts, 30 if name == "chat" else 1))
        result[f"{name}_p50_ms"] = round(statistics.median(timings), 2)
        result[f"{name}_p95_ms"] = round(timings[int(0.95 * (len(timings) - 1))], 2)
        result[f"{name}_messages"] = len(texts)
        result[f"{name}_median_words"] = statistics.median(len(t.split()) for t in texts)
    result["added_rss_mb"] = round(rss_mb() - before, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure()
    result["targets_met"] = all(result[key] <= limit for key, limit in TARGETS.items())
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
