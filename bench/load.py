"""Load test of the web chat's /ask endpoint: concurrent sessions through gradio_client.

Starts ``python -m bot --data-dir DIR serve`` on 127.0.0.1 (or loads a running server given with
``--url``), runs ``--sessions`` concurrent sessions of ``--questions`` questions each, ``--rounds``
times, and prints errors, latency percentiles, throughput and the server's resident memory
(RSS) before and after each round. Questions come from the public eval set (``evals/sets``);
follow-ups use an item's own history or the session's earlier questions. Every loop is bounded in
count and time, and the server it started is always stopped (also on Ctrl+C or an error).

    python -m bench.load --sessions 20 --questions 25 --rounds 2 --json load.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_NAME = "/ask"
# Share of turns that continue the session's conversation (history = its earlier questions).
FOLLOW_UP_SHARE = 0.35


@dataclass
class Turn:
    question: str
    history: list[str]


@dataclass
class Result:
    session: int
    seconds: float
    ok: bool
    follow_up: bool
    error: str = ""
    server_ms: float = 0.0
    abstained: bool = False


@dataclass
class RoundStats:
    round: int
    requests: int
    planned: int
    errors: int
    follow_ups: int
    abstained: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float
    server_p50_ms: float  # the bot's own latency_ms, without queueing and transport
    server_p95_ms: float
    server_mean_ms: float
    wall_s: float
    throughput_rps: float
    rss_after_mb: float | None
    server_cpu_s: float | None  # CPU time the server used during the round
    client_cpu_s: float  # CPU time this script used (it shares the machine with the server)
    load_average: float  # the machine's 1-minute load average at the end of the round
    error_samples: list[str] = field(default_factory=list)


def load_questions() -> list[Turn]:
    """The public eval set's questions, each with its own history (empty for most)."""
    sys.path.insert(0, str(ROOT))
    from evals.loading import load_items

    return [Turn(i.question, list(i.history)) for i in load_items([ROOT / "evals" / "sets"])]


def plan_sessions(pool: list[Turn], sessions: int, questions: int, seed: int) -> list[list[Turn]]:
    """Each session: questions drawn from the pool; some continue the session's conversation."""
    rng = random.Random(seed)
    plans = []
    for _ in range(sessions):
        conversation: list[str] = []
        turns = []
        for _ in range(questions):
            item = rng.choice(pool)
            if item.history:
                turns.append(Turn(item.question, list(item.history)))
                conversation = [*item.history, item.question]
            elif conversation and rng.random() < FOLLOW_UP_SHARE:
                turns.append(Turn(item.question, conversation[-3:]))
                conversation.append(item.question)
            else:
                turns.append(Turn(item.question, []))
                conversation = [item.question]
        plans.append(turns)
    return plans


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen | None, timeout: float) -> None:
    """Poll the page until it answers 200; fail if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1.0)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    """Ctrl+C first (serve closes Gradio cleanly), then kill if it does not exit in time."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of the server and its children, in MiB (None for a remote server)."""
    if pid is None:
        return None
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total / 2**20
    except psutil.NoSuchProcess:
        return None


def cpu_seconds(pid: int | None) -> float | None:
    """User and system CPU time of a process and its children so far (None without a pid)."""
    if pid is None:
        return None
    import psutil

    try:
        proc = psutil.Process(pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                t = p.cpu_times()
                total += t.user + t.system
        return total
    except psutil.NoSuchProcess:
        return None


def connect(url: str):
    """A gradio_client Client, or the exception that prevented it."""
    from gradio_client import Client

    try:
        return Client(url, verbose=False, analytics_enabled=False, download_files=False)
    except Exception as exc:
        return exc


def run_session(
    client,
    number: int,
    turns: list[Turn],
    request_timeout: float,
    deadline: float,
    stop: threading.Event,
) -> list[Result]:
    """One session: its own client, questions one after another, each bounded in time."""
    results: list[Result] = []
    if isinstance(client, Exception):  # the whole session fails: every question is an error
        error = f"client: {type(client).__name__}: {client}"
        return [Result(number, 0.0, False, bool(t.history), error) for t in turns]
    for turn in turns:
        if stop.is_set() or time.monotonic() > deadline:
            break
        started = time.perf_counter()
        job = client.submit(turn.question, turn.history, api_name=API_NAME)
        try:
            out = job.result(timeout=max(0.1, min(request_timeout, deadline - time.monotonic())))
            seconds = time.perf_counter() - started
            if not (isinstance(out, dict) and isinstance(out.get("answer"), str)):
                raise ValueError(f"unexpected response {out!r:.200}")
            if not isinstance(out.get("citations"), list):
                raise ValueError(f"no citations list in {out!r:.200}")
            results.append(
                Result(
                    number,
                    seconds,
                    True,
                    bool(turn.history),
                    server_ms=float(out.get("latency_ms") or 0.0),
                    abstained=bool(out.get("abstained")),
                )
            )
        except Exception as exc:
            job.cancel()
            seconds = time.perf_counter() - started
            error = f"{type(exc).__name__}: {exc}"[:300]
            results.append(Result(number, seconds, False, bool(turn.history), error))
    with contextlib.suppress(Exception):
        client.close()
    return results


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run_round(
    number: int,
    url: str,
    plans: list[list[Turn]],
    request_timeout: float,
    deadline: float,
    stop: threading.Event,
    pid: int | None,
) -> RoundStats:
    pool = ThreadPoolExecutor(max_workers=len(plans), thread_name_prefix="session")
    try:
        # Clients connect (fetch the app's config) before the clock starts.
        clients = list(pool.map(connect, [url] * len(plans)))
        started = time.perf_counter()
        server_cpu, client_cpu = cpu_seconds(pid), cpu_seconds(os.getpid()) or 0.0
        futures = [
            pool.submit(run_session, clients[i], i, turns, request_timeout, deadline, stop)
            for i, turns in enumerate(plans)
        ]
        results = [r for f in futures for r in f.result()]
    except BaseException:  # Ctrl+C: sessions stop after their current question
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    wall = time.perf_counter() - started
    server_cpu_after = cpu_seconds(pid)
    planned = sum(len(p) for p in plans)
    ok = [r for r in results if r.ok]
    ms = [r.seconds * 1000 for r in ok]
    # Questions never asked (overall timeout, Ctrl+C) count as errors too.
    errors = [r for r in results if not r.ok]
    return RoundStats(
        round=number,
        requests=len(results),
        planned=planned,
        errors=len(errors) + (planned - len(results)),
        follow_ups=sum(r.follow_up for r in results),
        abstained=sum(r.abstained for r in ok),
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        max_ms=max(ms, default=float("nan")),
        mean_ms=statistics.fmean(ms) if ms else float("nan"),
        server_p50_ms=percentile([r.server_ms for r in ok], 50),
        server_p95_ms=percentile([r.server_ms for r in ok], 95),
        server_mean_ms=statistics.fmean(r.server_ms for r in ok) if ok else float("nan"),
        wall_s=wall,
        throughput_rps=len(ok) / wall if wall else 0.0,
        rss_after_mb=rss_mb(pid),
        server_cpu_s=None if server_cpu is None else (server_cpu_after or 0.0) - server_cpu,
        client_cpu_s=(cpu_seconds(os.getpid()) or 0.0) - client_cpu,
        load_average=os.getloadavg()[0],
        error_samples=sorted({r.error for r in errors})[:5],
    )


def print_table(rounds: list[RoundStats], rss_start: float | None, args) -> None:
    print(
        f"\nLoad: {args.sessions} sessions x {args.questions} questions, {len(rounds)} round(s), "
        f"endpoint {API_NAME}"
    )
    header = (
        f"{'round':>5} {'asked':>6} {'errors':>6} {'follow':>6} {'abst':>5} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'max ms':>8} {'mean ms':>8} {'srv p50':>8} {'srv p95':>8} {'srv mean':>8} "
        f"{'wall s':>7} {'req/s':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rounds:
        print(
            f"{r.round:>5} {r.requests:>6} {r.errors:>6} {r.follow_ups:>6} {r.abstained:>5} "
            f"{r.p50_ms:>8.0f} {r.p95_ms:>8.0f} {r.max_ms:>8.0f} {r.mean_ms:>8.0f} "
            f"{r.server_p50_ms:>8.0f} {r.server_p95_ms:>8.0f} {r.server_mean_ms:>8.0f} "
            f"{r.wall_s:>7.1f} {r.throughput_rps:>6.2f}"
        )
    if rss_start is not None:
        cells = [f"start {rss_start:.0f}"] + [
            f"after round {r.round} {r.rss_after_mb:.0f}"
            for r in rounds
            if r.rss_after_mb is not None
        ]
        print("\nServer RSS (MiB): " + ", ".join(cells))
    if rounds:
        print("\nCPU seconds per round (server / this script), 1-min load average after it:")
    for r in rounds:
        server = "n/a" if r.server_cpu_s is None else f"{r.server_cpu_s:.1f}"
        print(
            f"round {r.round}: server {server} s, client {r.client_cpu_s:.1f} s, "
            f"load average {r.load_average:.1f} ({os.cpu_count()} cores)"
        )
    for r in rounds:
        for sample in r.error_samples:
            print(f"round {r.round} error: {sample}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    p.add_argument("--questions", type=int, default=25, help="questions per session and round")
    p.add_argument("--rounds", type=int, default=2, help="times the whole load is run")
    p.add_argument("--data-dir", type=Path, help="server data dir (default: a temporary one)")
    p.add_argument("--port", type=int, help="server port (default: a free one)")
    p.add_argument("--url", help="load this running server instead of starting one")
    p.add_argument("--timeout", type=float, default=1200, help="overall limit in seconds")
    p.add_argument("--request-timeout", type=float, default=60, help="limit per question (s)")
    p.add_argument("--startup-timeout", type=float, default=300, help="server start limit (s)")
    p.add_argument("--seed", type=int, default=1, help="seed of the question plan")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args(argv)
    for name in ("sessions", "questions", "rounds"):
        if not 1 <= getattr(args, name) <= 1000:
            p.error(f"--{name} must be between 1 and 1000")
    return args


def _interrupt(signum, frame) -> None:
    """SIGTERM ends the run like Ctrl+C, so that the server is stopped all the same."""
    raise KeyboardInterrupt


def _log_tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    deadline = time.monotonic() + args.timeout
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _interrupt)
    # Also when started in the background by a shell that ignores SIGINT for its jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    pool = load_questions()
    proc: subprocess.Popen | None = None
    tmp: tempfile.TemporaryDirectory | None = None
    log = None
    log_path: Path | None = None
    rounds: list[RoundStats] = []
    rss_start = None
    try:
        if args.url:
            url, pid = args.url, None
        else:
            if args.data_dir is None:
                tmp = tempfile.TemporaryDirectory(prefix="policybot-load-")
                args.data_dir = Path(tmp.name)
            port = args.port or free_port()
            url = f"http://127.0.0.1:{port}/"
            log_path = Path(args.data_dir) / "load-server.log"
            Path(args.data_dir).mkdir(parents=True, exist_ok=True)
            log = log_path.open("w", encoding="utf-8")
            cmd = [sys.executable, "-m", "bot", "--data-dir", str(args.data_dir)]
            cmd += ["serve", "--host", "127.0.0.1", "--port", str(port)]
            env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
            # Its own session: Ctrl+C in this terminal reaches only us; we stop it ourselves.
            proc = subprocess.Popen(
                cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
            pid = proc.pid
            print(f"Starting {' '.join(cmd)} (log {log_path}) …", flush=True)
        wait_until_up(url, proc, min(args.startup_timeout, deadline - time.monotonic()))
        rss_start = rss_mb(pid)
        print(f"Server up at {url}; RSS {rss_start or float('nan'):.0f} MiB", flush=True)
        for n in range(1, args.rounds + 1):
            # A new draw each round: the same mix, not the same questions in the same order.
            plans = plan_sessions(pool, args.sessions, args.questions, args.seed + n - 1)
            if time.monotonic() > deadline:
                print("Overall timeout reached; no more rounds.", file=sys.stderr)
                break
            print(f"Round {n}: {sum(len(p) for p in plans)} questions …", flush=True)
            stats = run_round(n, url, plans, args.request_timeout, deadline, stop, pid)
            rounds.append(stats)
            print(
                f"  {stats.requests} asked, {stats.errors} errors, p50 {stats.p50_ms:.0f} ms, "
                f"{stats.throughput_rps:.2f} req/s, {stats.wall_s:.1f} s",
                flush=True,
            )
    except KeyboardInterrupt:
        stop.set()
        print("Interrupted.", file=sys.stderr)
    except (RuntimeError, TimeoutError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        if log is not None:
            log.flush()
            print(_log_tail(log_path), file=sys.stderr)
        return 2
    finally:
        stop.set()
        if proc is not None:
            stop_server(proc)
        if log is not None:
            log.close()
        if tmp is not None:
            tmp.cleanup()
    print_table(rounds, rss_start, args)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "sessions": args.sessions,
                    "questions": args.questions,
                    "url": None if proc else args.url,
                    "rss_start_mb": rss_start,
                    "rounds": [asdict(r) for r in rounds],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    complete = len(rounds) == args.rounds and all(r.errors == 0 for r in rounds)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
