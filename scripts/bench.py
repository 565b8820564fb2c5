"""`make bench`: this assistant next to a baseline (Rasa's default config, same data), as in production.

For each project it trains from scratch, starts the action server and the Rasa server (SQLite
tracker store, REST channel) on loopback, and measures: training time, start-up to the first
answer, latency and throughput with 1 and with 32 concurrent conversations on a realistic mix
(FAQ questions, follow-ups, out of scope, a red flag that calls the action server), and the
resident memory of each process. Writes results/bench/bench.json and results/bench/bench.md.
"""
import argparse
import asyncio
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "results" / "bench"
BASELINE_CONFIG = "recipe: default.v1\nlanguage: en\nassistant_id: baseline\npipeline:\npolicies:\n"
# One conversation; every simulated person sends it in order, under their own sender id.
CONVERSATION = [
    "hi",
    "does trazodone help back pain?",
    "what are its side effects?",
    "and xanax?",
    "tell me more",
    "what's the weather like tomorrow",
    "my back hurts and I have a fever and chills",
    "how long do antidepressants take to work?",
    "can I take xanax with alcohol?",
    "thanks",
]
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def train(config: Path, workdir: Path) -> Dict[str, Any]:
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "rasa"), "train", "--config", str(config), "--out", str(workdir / "models"),
         "--fixed-model-name", "model", "--quiet"],
        cwd=ROOT, check=True, env={**ENV, "RASA_MAX_CACHE_SIZE": "0"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return {"training_s": round(time.monotonic() - started, 1), "model": workdir / "models" / "model.tar.gz"}


def percentile(values: List[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as reply:
        await reply.read()
        if reply.status != 200:
            raise RuntimeError(f"HTTP {reply.status} for {text!r}")
    return (time.perf_counter() - started) * 1000


async def load(url: str, conversations: int, concurrency: int, prefix: str) -> Dict[str, Any]:
    """`conversations` conversations of CONVERSATION, `concurrency` of them at a time."""
    latencies: List[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for number in range(conversations):
        queue.put_nowait(f"{prefix}-{number}")

    async def person(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            sender = queue.get_nowait()
            for text in CONVERSATION:
                latencies.append(await send(session, url, sender, text))

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(person(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "messages": len(latencies),
        "throughput_msg_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
    }


def start(args: List[str], log: Path, env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env={**ENV, **(env or {})})


async def first_answer(url: str, process: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the Rasa server exited during start-up")
            try:
                await send(session, url, "start-up", "hi")
                return
            except (aiohttp.ClientError, RuntimeError):
                await asyncio.sleep(0.05)
    raise RuntimeError("no answer within the start-up timeout")


def measure(name: str, config: Path, workdir: Path, conversations_1: int, conversations_32: int) -> Dict[str, Any]:
    print(f"[{name}] training from scratch …", flush=True)
    result: Dict[str, Any] = {"project": name, **train(config, workdir)}
    model = result.pop("model")
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'conversations.db'}\n"
    )
    actions = start([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
                    workdir / "actions.log", {"SANIC_HOST": "127.0.0.1"})
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    try:
        started = time.monotonic()
        rasa = start([str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
                      "--credentials", "credentials.yml", "--port", str(rasa_port), "--interface", "127.0.0.1"],
                     workdir / "rasa.log")
        try:
            asyncio.run(first_answer(url, rasa))
            result["startup_to_first_answer_s"] = round(time.monotonic() - started, 1)
            print(f"[{name}] 1 conversation at a time …", flush=True)
            result["one_conversation"] = asyncio.run(load(url, conversations_1, 1, "one"))
            print(f"[{name}] 32 conversations at a time …", flush=True)
            result["32_conversations"] = asyncio.run(load(url, conversations_32, 32, "many"))
            result["rss_mb"] = {"rasa_server": round(rss_mb(rasa.pid)), "action_server": round(rss_mb(actions.pid))}
        finally:
            rasa.terminate()
            rasa.wait(timeout=30)
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    return result


def table(results: List[Dict[str, Any]]) -> str:
    rows = [
        ("training from scratch", lambda r: f"{r['training_s']} s"),
        ("start-up to first answer", lambda r: f"{r['startup_to_first_answer_s']} s"),
        ("1 conversation: p50 / p95 / p99", lambda r: "{p50_ms} / {p95_ms} / {p99_ms} ms".format(**r["one_conversation"])),
        ("1 conversation: throughput", lambda r: f"{r['one_conversation']['throughput_msg_s']} msg/s"),
        ("32 conversations: p50 / p95 / p99", lambda r: "{p50_ms} / {p95_ms} / {p99_ms} ms".format(**r["32_conversations"])),
        ("32 conversations: throughput", lambda r: f"{r['32_conversations']['throughput_msg_s']} msg/s"),
        ("resident memory: Rasa server", lambda r: f"{r['rss_mb']['rasa_server']} MB"),
        ("resident memory: action server", lambda r: f"{r['rss_mb']['action_server']} MB"),
    ]
    header = "| measure | " + " | ".join(r["project"] for r in results) + " |"
    lines = [header, "|---" * (len(results) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(cell(r) for r in results) + " |" for label, cell in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-baseline", action="store_true", help="measure this assistant only")
    parser.add_argument("--conversations-1", type=int, default=30, help="conversations sent one at a time")
    parser.add_argument("--conversations-32", type=int, default=160, help="conversations sent 32 at a time")
    args = parser.parse_args()
    projects = [("this assistant", ROOT / "config.yml")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if not args.no_baseline:
            baseline = Path(tmp) / "baseline-config.yml"
            baseline.write_text(BASELINE_CONFIG)
            projects.append(("Rasa default config", baseline))
        for index, (name, config) in enumerate(projects):
            workdir = Path(tmp) / str(index)
            workdir.mkdir()
            results.append(measure(name, config, workdir, args.conversations_1, args.conversations_32))
    OUT.mkdir(parents=True, exist_ok=True)
    report = {"date": datetime.date.today().isoformat(), "machine": f"{os.cpu_count()} cores", "results": results}
    (OUT / "bench.json").write_text(json.dumps(report, indent=2))
    markdown = f"Measured {report['date']} on {report['machine']} by `make bench`.\n\n{table(results)}\n"
    (OUT / "bench.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
