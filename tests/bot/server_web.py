"""Helpers for the web tests: a real ``policybot serve`` in a subprocess, timings, artifacts.

The data directory lives under pytest's session base temp with a fixed name, so every test
module that starts a server shares one ingest (the first one pays ~25-60 s, the rest reuse it).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
TIMINGS_FILE = ARTIFACTS / "web-timings.json"
STARTUP_TIMEOUT_S = 900  # a cold ingest on a slow CI machine
READY_LINE = "Policybot körs på"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_data_dir(tmp_path_factory) -> Path:
    """One data directory for the whole test session (created empty, filled by the first serve)."""
    path = tmp_path_factory.getbasetemp() / "policybot-web-data"
    path.mkdir(parents=True, exist_ok=True)
    return path


def record_timings(**values) -> dict:
    """Merge measured numbers into test-artifacts/web-timings.json (kept for the report)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(TIMINGS_FILE.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        data = {}
    data.update(values)
    TIMINGS_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return data


@dataclass
class ServedBot:
    """A running ``python -m bot serve`` and what was measured while starting it."""

    process: subprocess.Popen
    url: str
    data_dir: Path
    log_path: Path
    fresh: bool
    started: float
    ready_s: float = 0.0
    first_answer_s: float | None = None
    extra: dict = field(default_factory=dict)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(data_dir: Path, name: str) -> ServedBot:
    """Start ``python -m bot serve --port P`` on 127.0.0.1 and wait until the page answers."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    fresh = not any(data_dir.iterdir())
    log_path = ARTIFACTS / f"serve-{name}.log"
    env = {
        **os.environ,
        "POLICYBOT_DATA_DIR": str(data_dir),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    served = ServedBot(process, f"http://127.0.0.1:{port}/", data_dir, log_path, fresh, started)
    deadline = started + STARTUP_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"policybot serve exited with {process.returncode}:\n{served.log()}")
        if READY_LINE in served.log():
            try:
                with urllib.request.urlopen(served.url, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
        if time.perf_counter() > deadline:
            served.stop()
            raise RuntimeError(f"policybot serve did not start in time:\n{served.log()}")
        time.sleep(0.25)
    served.ready_s = time.perf_counter() - started
    return served


def measure_first_answer(served: ServedBot, question: str = "Vilka vänorter har Luleå?") -> dict:
    """Ask once through gradio_client right after start-up: time from `serve` to an answer."""
    from gradio_client import Client

    client = Client(served.url, verbose=False)
    result = client.predict(question, [], api_name="/ask")
    served.first_answer_s = time.perf_counter() - served.started
    return result


@contextlib.contextmanager
def served_and_timed(tmp_path_factory, name: str, question: str = "Vilka vänorter har Luleå?"):
    """Start `policybot serve`, time the first answer, record the timings, stop at the end."""
    server = start_server(shared_data_dir(tmp_path_factory), name)
    try:
        server.extra["first"] = measure_first_answer(server, question)
        key = "fresh" if server.fresh else "warm"
        record_timings(
            **{
                f"serve_{key}_ready_s": round(server.ready_s, 2),
                f"serve_{key}_first_answer_s": round(server.first_answer_s, 2),
            }
        )
        yield server
    finally:
        server.stop()
