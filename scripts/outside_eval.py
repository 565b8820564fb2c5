"""Scores the assistant on an outside set's dev or test part, next to two baselines.

    .venv/bin/python scripts/outside_eval.py --part test            # starts its own servers
    .venv/bin/python scripts/outside_eval.py --part dev --misses    # and lists what went wrong
    .venv/bin/python scripts/outside_eval.py --part dev --url http://localhost:5005

The test part is scored, never listed: `--misses` works on the dev part only.
"""

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import ARTICLES, MODEL  # noqa: E402
from tests.support import outside, servers  # noqa: E402


@contextlib.contextmanager
def assistant_url(url: str, model: Path) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory() as workdir:
        with servers.action_server(Path(workdir)) as action_url:
            with servers.rasa_server(Path(workdir), action_url, model) as rasa_url:
                yield rasa_url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=outside.PARTS, required=True)
    parser.add_argument("--url", default="", help="a running assistant; default: start one")
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model to serve")
    parser.add_argument(
        "--misses", action="store_true", help="list the dev part's unacceptable replies"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--items",
        type=Path,
        default=outside.OUTSIDE_DIR,
        help="a folder of outside-set files not yet merged (a new collection's first contact)",
    )
    args = parser.parse_args()
    if args.misses and args.part != "dev":
        parser.error("--misses lists dev items only: the test part is never read item by item")
    items = outside.load_items(args.items, part=args.part)
    with assistant_url(args.url, args.model) as url:
        got = outside.replies_over_rest(url, items)
    results = {
        "assistant": outside.score(items, got),
        "always out of scope": outside.score(
            items, outside.baseline_replies(items, outside.always_out_of_scope)
        ),
        "TF-IDF nearest section": outside.score(
            items, outside.baseline_replies(items, outside.tfidf_nearest_section(ARTICLES))
        ),
    }
    print(f"{args.part} part: {len(items)} messages")
    for name, figures in results.items():
        print(f"\n{name}")
        for line in figures.lines():
            print(f"  {line}")
    if args.json:
        args.json.write_text(json.dumps({n: f.counts for n, f in results.items()}, indent=2))
    if args.misses:
        print("\nmisses")
        for item, reply in zip(items, got):
            if not outside.acceptable(item, reply):
                print(
                    f"- {item.id} [{item.escalate} {item.tiers} {item.acceptable}] got {reply.behaviour} {reply.sources} tier={reply.tier}\n    {item.text!r}"
                )


if __name__ == "__main__":
    main()
