"""`make bench`: this assistant next to a baseline (Rasa's default config, same data), as in production.

For each project it trains from scratch, starts the action server and the Rasa server (SQLite
tracker store, REST channel) on loopback, and measures: training time, start-up to the first
answer, latency and throughput with 1 and with 32 concurrent conversations on a realistic mix
(FAQ questions, follow-ups, out of scope, a red flag that calls the action server), and the
resident memory of each process; then the cost per message along one long conversation
(turns 1-10, 41-50, 191-200 and 991-1000), over REST and in-process on SQLite and on
PostgreSQL. This assistant is measured with one Rasa process and with WORKERS=2 (two Sanic
workers sharing a Redis lock store, as `WORKERS=2 make run` starts them). PostgreSQL and Redis
run on loopback, started by scripts/postgres.sh and scripts/redis.sh. Writes
results/bench/bench.json and results/bench/bench.md.

The 32-conversation load runs `--repeats` times on the same server; its figures are over all
repeats, and each repeat is listed with a machine check taken just before it: the time one
fixed piece of pure-Python work takes on the slowest core, with every core busy, to tell a
slower machine from a slower assistant when comparing runs.

First of all, on the idle machine, `scripts/bench_encoder.py` measures the sentence encoder on
its own (load, added memory, time per message on one core) in a fresh process.
"""

import argparse
import asyncio
import contextlib
import datetime
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from tests.support.servers import free_port, local_service, rasa_run_args  # noqa: E402  (the tests' own, shared)

OUT = ROOT / "results" / "bench"
ATOMIC_REDIS_LOCK_STORE = "backpain_assistant.lock_stores.atomic_redis.AtomicRedisLockStore"
BASELINE_CONFIG = "recipe: default.v1\nlanguage: en\nassistant_id: baseline\npipeline:\npolicies:\n"
# The turn that calls the action server (its latency under load is reported on its own).
RED_FLAG_TURN = "my back hurts and I have a fever and chills"
# One conversation; every simulated person sends it in order, under their own sender id.
CONVERSATION = [
    "hi",
    "does trazodone help back pain?",
    "what are its side effects?",
    "and xanax?",
    "tell me more",
    "what's the weather like tomorrow",
    RED_FLAG_TURN,
    "how long do antidepressants take to work?",
    "can I take xanax with alcohol?",
    "thanks",
]
# Cost per message is reported as the median of the ten turns ending at each of these.
TURN_MARKS = (10, 50, 200, 1000)
PER_TURN_RUNS = (
    ("REST, SQLite", "per_turn_rest"),
    ("in-process, SQLite", "per_turn_in_process_sqlite"),
    ("in-process, PostgreSQL", "per_turn_in_process_postgresql"),
)
ENV = {
    **os.environ,
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore",
}


def rss_mb(pid: int) -> Dict[str, float]:
    """Resident memory, and its private part and mapped files (shared with other processes, and
    given back to the system under memory pressure)."""
    fields = {"VmRSS:": "total", "RssAnon:": "private", "RssFile:": "files"}
    found = {"total": 0.0, "private": 0.0, "files": 0.0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, *value = line.split()
        if name in fields:
            found[fields[name]] = int(value[0]) / 1024
    return found


def train(config: Path, workdir: Path) -> Dict[str, Any]:
    started = time.monotonic()
    subprocess.run(
        [
            str(BIN / "rasa"),
            "train",
            "--config",
            str(config),
            "--out",
            str(workdir / "models"),
            "--fixed-model-name",
            "model",
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        env={**ENV, "RASA_MAX_CACHE_SIZE": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return {
        "training_s": round(time.monotonic() - started, 1),
        "model": workdir / "models" / "model.tar.gz",
    }


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


def fixed_work_ms() -> float:
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number * number % 7
    return (time.perf_counter() - started) * 1000


def machine_check_ms(rounds: int = 3) -> float:
    """The slowest core's median time for `fixed_work_ms`, all cores working at once."""
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=cores) as pool:
        times = [
            [future.result() for future in [pool.submit(fixed_work_ms) for _ in range(cores)]]
            for _ in range(rounds)
        ]
    return round(max(statistics.median(core) for core in zip(*times)), 0)


async def load(
    url: str, conversations: int, concurrency: int, prefix: str, repeats: int = 1
) -> Dict[str, Any]:
    """`conversations` conversations of CONVERSATION, `concurrency` of them at a time, `repeats` times."""
    latencies: List[float] = []
    red_flag_latencies: List[float] = []
    runs = []
    for repeat in range(repeats):
        machine_ms = machine_check_ms() if repeats > 1 else None
        run = await load_once(url, conversations, concurrency, f"{prefix}{repeat}")
        latencies += run.pop("latencies")
        red_flag_latencies += run.pop("red_flag_latencies")
        runs.append({**run, "machine_check_ms": machine_ms})
    elapsed = sum(run["elapsed_s"] for run in runs)
    return {
        "messages": len(latencies),
        "throughput_msg_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "red_flag_p50_ms": round(percentile(red_flag_latencies, 50), 1),
        "red_flag_p95_ms": round(percentile(red_flag_latencies, 95), 1),
        "runs": runs,
    }


async def load_once(url: str, conversations: int, concurrency: int, prefix: str) -> Dict[str, Any]:
    latencies: List[float] = []
    red_flag_latencies: List[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for number in range(conversations):
        queue.put_nowait(f"{prefix}-{number}")

    async def person(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            sender = queue.get_nowait()
            for text in CONVERSATION:
                latencies.append(await send(session, url, sender, text))
                if text == RED_FLAG_TURN:
                    red_flag_latencies.append(latencies[-1])

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        started = time.perf_counter()
        await asyncio.gather(*(person(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "elapsed_s": elapsed,
        "throughput_msg_s": round(len(latencies) / elapsed, 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "latencies": latencies,
        "red_flag_latencies": red_flag_latencies,
    }


def start(args: List[str], log: Path, env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env={**ENV, **(env or {})}
    )


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


def endpoints_for(project: "Project", action_port: int, database: Path) -> Dict[str, Any]:
    return {
        "action_endpoint": {
            **project.action_endpoint,
            "url": f"http://127.0.0.1:{action_port}/webhook",
        },
        "tracker_store": {**project.tracker_store, "db": str(database)},
    }


def per_turn(latencies: List[float]) -> Dict[str, float]:
    """Median cost of the ten turns ending at each mark, and the last mark's ratio to the first."""
    medians = {
        f"turns_{mark - 9}_{mark}_ms": round(statistics.median(latencies[mark - 10 : mark]), 1)
        for mark in TURN_MARKS
        if mark <= len(latencies)
    }
    values = list(medians.values())
    return {**medians, "ratio_last_to_first": round(values[-1] / values[0], 2)}


async def long_conversation(url: str, turns: int) -> List[float]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        return [
            await send(session, url, "long", text)
            for text in itertools.islice(itertools.cycle(CONVERSATION), turns)
        ]


def in_process(
    model: Path, endpoints: Path, turns: int, sender: str, speedups: bool
) -> List[float]:
    output = subprocess.run(
        [
            str(BIN / "python"),
            str(ROOT / "scripts" / "bench_turns.py"),
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--messages",
            json.dumps(CONVERSATION),
            "--turns",
            str(turns),
            "--sender",
            sender,
            *(["--speedups"] if speedups else []),
        ],
        cwd=ROOT,
        check=True,
        env=ENV,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


class Project(NamedTuple):
    name: str
    config: Path
    tracker_store: Dict[str, Any]
    action_endpoint: Dict[str, Any]
    workers: int = 1
    # This project's launcher (backpain_assistant.rasa_cli) instead of Rasa's own `rasa`.
    speedups: bool = True

    def rasa_cli(self) -> List[str]:
        return (
            [str(BIN / "python"), "-m", "backpain_assistant.rasa_cli"]
            if self.speedups
            else [str(BIN / "rasa")]
        )


def measure(project: Project, workdir: Path, args: argparse.Namespace) -> Dict[str, Any]:
    name = project.name
    print(f"[{name}] training from scratch …", flush=True)
    result: Dict[str, Any] = {
        "project": name,
        "workers": project.workers,
        **train(project.config, workdir),
    }
    model = result.pop("model")
    action_port = free_port()
    endpoints = workdir / "endpoints.yml"
    settings = endpoints_for(project, action_port, workdir / "conversations.db")
    if project.workers > 1:
        settings["lock_store"] = {"type": ATOMIC_REDIS_LOCK_STORE, **args.redis}
    endpoints.write_text(yaml.safe_dump(settings))
    actions = start(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        workdir / "actions.log",
        {"SANIC_HOST": "127.0.0.1"},
    )
    try:
        result.update(serve(project, model, endpoints, workdir, args, actions.pid))
        if project.workers == 1:
            result.update(per_turn_in_process(project, model, endpoints, workdir, args))
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    return result


def serve(
    project: Project,
    model: Path,
    endpoints: Path,
    workdir: Path,
    args: argparse.Namespace,
    actions_pid: int,
) -> Dict[str, Any]:
    """Start-up, load and memory of the Rasa server as in production, and the long conversation over REST."""
    name, port, result = project.name, free_port(), {}
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    started = time.monotonic()
    rasa = start(
        [*project.rasa_cli(), *rasa_run_args(model, endpoints, port)],
        workdir / "rasa.log",
        {"SANIC_WORKERS": str(project.workers)},
    )
    try:
        asyncio.run(first_answer(url, rasa))
        result["startup_to_first_answer_s"] = round(time.monotonic() - started, 1)
        print(f"[{name}] 1 conversation at a time …", flush=True)
        result["one_conversation"] = asyncio.run(load(url, args.conversations_1, 1, "one"))
        print(f"[{name}] 32 conversations at a time …", flush=True)
        result["32_conversations"] = asyncio.run(
            load(url, args.conversations_32, 32, "many", args.repeats)
        )
        server = max(
            (rss_mb(pid) for pid in [rasa.pid, *children(rasa.pid)]), key=lambda rss: rss["total"]
        )
        result["rss_mb"] = {
            "rasa_server": round(server["total"]),
            "rasa_server_private": round(server["private"]),
            "rasa_server_files": round(server["files"]),
            "action_server": round(rss_mb(actions_pid)["total"]),
        }
        if project.workers == 1:
            print(f"[{name}] one conversation of {args.turns} turns over REST …", flush=True)
            result["per_turn_rest"] = per_turn(asyncio.run(long_conversation(url, args.turns)))
    finally:
        rasa.terminate()
        rasa.wait(timeout=30)
    return result


def per_turn_in_process(
    project: Project, model: Path, endpoints: Path, workdir: Path, args: argparse.Namespace
) -> Dict[str, Any]:
    result = {}
    for backend, settings in (("sqlite", {"dialect": "sqlite"}), ("postgresql", args.postgres)):
        print(
            f"[{project.name}] one conversation of {args.turns} turns in-process on {backend} …",
            flush=True,
        )
        store = {**project.tracker_store, **settings}
        if backend == "sqlite":
            store["db"] = str(workdir / "in-process.db")
        path = workdir / f"endpoints-{backend}.yml"
        path.write_text(
            yaml.safe_dump({**yaml.safe_load(endpoints.read_text()), "tracker_store": store})
        )
        timings = in_process(model, path, args.turns, f"{backend}-{workdir.name}", project.speedups)
        result[f"per_turn_in_process_{backend}"] = per_turn(timings)
    return result


def children(pid: int) -> List[int]:
    """Sanic's worker processes."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def per_turn_cell(key: str, mark: int) -> Callable[[Dict[str, Any]], str]:
    field = f"turns_{mark - 9}_{mark}_ms"
    return lambda r: f"{r[key][field]} ms" if field in r.get(key, {}) else "–"


def ratio_cell(key: str) -> Callable[[Dict[str, Any]], str]:
    return lambda r: f"{r[key]['ratio_last_to_first']}×" if key in r else "–"


def each_run_cell(result: Dict[str, Any]) -> str:
    return "; ".join(
        f"{run['throughput_msg_s']} msg/s, {run['p95_ms']} ms ({run['machine_check_ms']:.0f} ms)"
        if run["machine_check_ms"] is not None
        else f"{run['throughput_msg_s']} msg/s, {run['p95_ms']} ms"
        for run in result["32_conversations"]["runs"]
    )


def encoder_cost() -> Dict[str, Any]:
    """The sentence encoder alone, in a fresh process (scripts/bench_encoder.py)."""
    output = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "bench_encoder.py")],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def encoder_table(cost: Dict[str, Any]) -> str:
    return (
        "| sentence encoder, one core | figure | target |\n|---|---|---|\n"
        f"| model load (hash checks included) | {cost['load_s']} s | ≤ 2 s |\n"
        f"| resident memory added | {cost['added_rss_mb']} MB | ≤ 150 MB |\n"
        f"| per chat message, p50 / p95 (the bench conversation, median {cost['chat_median_words']} words) "
        f"| {cost['chat_p50_ms']} / {cost['chat_p95_ms']} ms | p50 ≤ 5 ms |\n"
        f"| per forum post, p50 / p95 ({cost['posts_messages']} outside dev messages, median "
        f"{cost['posts_median_words']} words) | {cost['posts_p50_ms']} / {cost['posts_p95_ms']} ms | (reported) |"
    )


def table(results: List[Dict[str, Any]]) -> str:
    rows = [
        ("training from scratch", lambda r: f"{r['training_s']} s"),
        ("start-up to first answer", lambda r: f"{r['startup_to_first_answer_s']} s"),
        (
            "1 conversation: p50 / p95 / p99",
            lambda r: "{p50_ms} / {p95_ms} / {p99_ms} ms".format(**r["one_conversation"]),
        ),
        (
            "1 conversation: throughput",
            lambda r: f"{r['one_conversation']['throughput_msg_s']} msg/s",
        ),
        (
            "32 conversations: p50 / p95 / p99",
            lambda r: "{p50_ms} / {p95_ms} / {p99_ms} ms".format(**r["32_conversations"]),
        ),
        (
            "32 conversations: throughput",
            lambda r: f"{r['32_conversations']['throughput_msg_s']} msg/s",
        ),
        (
            "32 conversations: each run's throughput, p95 (machine check, lower is faster)",
            each_run_cell,
        ),
        (
            "32 conversations: the red-flag turn's p50 / p95",
            lambda r: "{red_flag_p50_ms} / {red_flag_p95_ms} ms".format(**r["32_conversations"]),
        ),
        (
            "resident memory: Rasa server (private + mapped files)",
            lambda r: "{rasa_server} MB ({rasa_server_private} + {rasa_server_files})".format(
                **r["rss_mb"]
            ),
        ),
        ("resident memory: action server", lambda r: f"{r['rss_mb']['action_server']} MB"),
        *(
            (f"one long conversation, {where}: turns {mark - 9}–{mark}", per_turn_cell(key, mark))
            for where, key in PER_TURN_RUNS
            for mark in TURN_MARKS
        ),
        *(
            (f"one long conversation, {where}: last ÷ first", ratio_cell(key))
            for where, key in PER_TURN_RUNS
        ),
    ]
    header = "| measure | " + " | ".join(r["project"] for r in results) + " |"
    lines = [header, "|---" * (len(results) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(cell(r) for r in results) + " |" for label, cell in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-baseline", action="store_true", help="measure this assistant only")
    parser.add_argument(
        "--conversations-1", type=int, default=30, help="conversations sent one at a time"
    )
    parser.add_argument(
        "--conversations-32", type=int, default=160, help="conversations sent 32 at a time"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of the 32-conversation load")
    parser.add_argument(
        "--turns", type=int, default=max(TURN_MARKS), help="turns of the one long conversation"
    )
    args = parser.parse_args()
    ours = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    store, action_endpoint = ours["tracker_store"], ours["action_endpoint"]
    projects = [
        Project("this assistant", ROOT / "config.yml", store, action_endpoint),
        Project(
            "this assistant, WORKERS=2", ROOT / "config.yml", store, action_endpoint, workers=2
        ),
    ]
    encoder = encoder_cost()
    results = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        postgres_port = stack.enter_context(local_service("postgres.sh"))
        args.postgres = {
            "dialect": "postgresql",
            "url": "127.0.0.1",
            "port": postgres_port,
            "db": "rasa",
            "username": "postgres",
        }
        args.redis = {
            "url": "127.0.0.1",
            "port": stack.enter_context(local_service("redis.sh")),
            "db": 0,
        }
        if not args.no_baseline:
            baseline = Path(tmp) / "baseline-config.yml"
            baseline.write_text(BASELINE_CONFIG)
            projects.append(
                Project(
                    "Rasa defaults",
                    baseline,
                    {"type": "SQL", "dialect": "sqlite"},
                    {},
                    speedups=False,
                )
            )
        for index, project in enumerate(projects):
            workdir = Path(tmp) / str(index)
            workdir.mkdir()
            results.append(measure(project, workdir, args))
    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores",
        "sentence_encoder": encoder,
        "results": results,
    }
    (OUT / "bench.json").write_text(json.dumps(report, indent=2))
    markdown = (
        f"Measured {report['date']} on {report['machine']} by `make bench`.\n\n{encoder_table(encoder)}\n\n"
        f"{table(results)}\n"
    )
    (OUT / "bench.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
