"""Refit the unit scorer's weights on the QA corpus: train on train, choose on dev, never on test.

`python -m training.scorer collect --split train --out DIR/train` asks every question of a split
as the bot does and stores each candidate unit's features (config.tuning.UNIT_FEATURES) and its
label: "this unit, alone or widened to its neighbour, answers the question" (evals.fit.collect).
Must-abstain questions have only negatives. `python -m training.scorer fit --data DIR` fits
the weights on DIR/train, keeps the epoch that ranks best on DIR/dev, and with --write lays them
over config/tuning-<model>.json. `python -m training.scorer lopo --data DIR` pools train and dev
and holds out one publisher at a time: the rest fits the weights, the held-out one measures
them; the number of epochs that ranks best summed over all publishers is chosen, and with
--write the weights fitted on every publisher with that many epochs are written.

The fit is listwise: a softmax over each answerable question's candidates, maximising the
probability of those that answer. It learns a correction to the current weights (starting from
zero), so the scores keep the scale the selection margins were set on.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from config.settings import Settings
from config.tuning import UNIT_FEATURES, Tuning, model_tuning_file

BATCH = 32
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 1e-2


def collect(split: str, settings: Settings, out: Path, only: list[str] | None = None) -> None:
    """Write out/<group>.npz for every group of the split: candidate features and labels."""
    from evals import fit as evals_fit
    from training.passrate import asked_groups

    out.mkdir(parents=True, exist_ok=True)
    for name, set_name, items, bot, started in asked_groups(split, settings, only):
        # The same candidates and labels as evals.fit collects for its own fit.
        questions = evals_fit.collect(bot, set_name, items)
        rows = {
            "q": np.concatenate([np.full(len(q.labels), i) for i, q in enumerate(questions)]),
            "feat": np.vstack([q.matrix for q in questions]),
            "label": np.concatenate([q.labels for q in questions]),
        }
        tmp = out / f"{name.replace('/', '__')}.tmp.npz"
        np.savez_compressed(
            tmp,
            q=rows["q"].astype(np.int32),
            feat=rows["feat"].astype(np.float32),
            label=rows["label"].astype(np.float32),
            ids=np.asarray([it.id for it in items]),
            abstain=np.asarray([bool(it.abstain) for it in items]),
        )
        tmp.replace(out / f"{name.replace('/', '__')}.npz")  # never a half-written file
        print(
            f"{name}: {len(items)} frågor, {len(rows['q'])} kandidater, "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )


@dataclass
class Split:
    """A split's questions: each one's candidate features and labels, in the scorer's order,
    and the group (QA file or eval set) each comes from."""

    feat: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def subset(self, keep: list[bool]) -> Split:
        out = Split()
        for f, y, g, k in zip(self.feat, self.labels, self.groups, keep, strict=True):
            if k:
                out.feat.append(f)
                out.labels.append(y)
                out.groups.append(g)
        return out

    def __add__(self, other: Split) -> Split:
        return Split(self.feat + other.feat, self.labels + other.labels, self.groups + other.groups)


def load_split(folder: Path) -> Split:
    """Every question of the .npz files in folder."""
    out = Split()
    paths = sorted(p for p in folder.glob("*.npz") if not p.name.endswith(".tmp.npz"))
    if not paths:
        raise SystemExit(f"Fel: {folder}: inga kandidatfiler (kör collect först)")
    for path in paths:
        with np.load(path) as d:
            if d["feat"].shape[1] != len(UNIT_FEATURES):
                raise SystemExit(f"Fel: {path}: fel antal egenskaper, samla in på nytt")
            for qi in range(len(d["ids"])):
                rows = d["q"] == qi
                out.feat.append(d["feat"][rows].astype(np.float64))
                out.labels.append(d["label"][rows])
                out.groups.append(path.stem)
    return out


def ranking(split: Split, weights: np.ndarray) -> tuple[int, int]:
    """(questions whose best-scored unit answers, answerable questions with an answering unit)."""
    hits = total = 0
    for feat, labels in zip(split.feat, split.labels, strict=True):
        if len(labels) and labels.max() > 0:
            total += 1
            hits += int(labels[int(np.argmax(feat @ weights))] > 0)
    return hits, total


def corrections(
    train: Split, base: np.ndarray, epochs: int, seed: int, lr: float = LEARNING_RATE
) -> Iterator[np.ndarray]:
    """The weights after each epoch: base plus a correction fitted listwise on train (a softmax
    over each answerable question's candidates, maximising those that answer)."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    answerable = [i for i, y in enumerate(train.labels) if len(y) and y.max() > 0]
    every = np.vstack([train.feat[i] for i in answerable])
    # Features are standardised for the fit, so that one learning rate suits them all.
    mean, scale = every.mean(0), every.std(0) + 1e-6
    xs = [torch.from_numpy((train.feat[i] - mean) / scale) for i in answerable]
    offsets = [torch.from_numpy(train.feat[i] @ base) for i in answerable]
    positive = [torch.from_numpy(train.labels[i] > 0) for i in answerable]
    delta = torch.zeros(len(base), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([delta], lr=lr, weight_decay=WEIGHT_DECAY)
    for _ in range(epochs):
        order = rng.permutation(len(xs))
        for start in range(0, len(order), BATCH):
            loss = torch.zeros((), dtype=torch.float64)
            for i in order[start : start + BATCH]:
                logits = offsets[i] + xs[i] @ delta
                loss = loss + torch.logsumexp(logits, 0) - torch.logsumexp(logits[positive[i]], 0)
            opt.zero_grad()
            (loss / BATCH).backward()
            opt.step()
        yield base + delta.detach().numpy() / scale


def fit(
    train: Split,
    dev: Split,
    base: np.ndarray,
    epochs: int,
    seed: int,
    log=print,
    lr: float = LEARNING_RATE,
) -> np.ndarray:
    """Weights that rank answering units first: base plus a correction fitted listwise on
    train; the epoch that ranks best on dev is kept (base itself when none beats it), scaled
    so that scores over train's candidates spread as much as under base."""
    best, best_weights = ranking(dev, base), base
    log(f"dev med nuvarande vikter: {best[0]}/{best[1]}")
    for epoch, weights in enumerate(corrections(train, base, epochs, seed, lr), start=1):
        result = ranking(dev, weights)
        log(f"epok {epoch}: dev {result[0]}/{result[1]}")
        if result[0] > best[0]:
            best, best_weights = result, weights
    return rescaled(train, base, best_weights)


def rescaled(train: Split, base: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weights scaled so that scores over train's candidates spread as much as under base.
    The fit sharpens the scores (about twice the spread); the selection margins were set on
    the base's spread, and on dev the pass rate is higher with the spread kept (574 vs 560 of
    879 questions), so only the direction of the new weights is taken."""
    every_score = np.concatenate([f @ base for f in train.feat])
    new_score = np.concatenate([f @ weights for f in train.feat])
    return weights * float(np.std(every_score) / max(np.std(new_score), 1e-9))


def publisher(group: str) -> str:
    """The publisher a group's questions come from: regeringen.se's three QA files are one."""
    return re.sub(r"-[a-z]$", "", group) if group.startswith("regeringen") else group


@dataclass
class Lopo:
    """Leave-one-publisher-out: for each publisher, its questions ranked by base and by the
    weights fitted on every other publisher after each epoch."""

    total: dict[str, int] = field(default_factory=dict)  # answerable questions
    base: dict[str, int] = field(default_factory=dict)  # ranked right by base
    fitted: dict[str, list[int]] = field(default_factory=dict)  # ranked right, per epoch

    def best_epoch(self) -> int:
        sums = [sum(hits[e] for hits in self.fitted.values()) for e in range(self._epochs())]
        return int(np.argmax(sums)) + 1

    def _epochs(self) -> int:
        return min(len(h) for h in self.fitted.values())


def lopo(
    data: Split, base: np.ndarray, epochs: int, seed: int, log=print, lr: float = LEARNING_RATE
) -> Lopo:
    """Each publisher held out in turn; the rest fits the weights."""
    out = Lopo()
    names = [publisher(g) for g in data.groups]
    for name in dict.fromkeys(names):
        held = [n == name for n in names]
        test, train = data.subset(held), data.subset([not h for h in held])
        out.base[name], out.total[name] = ranking(test, base)
        out.fitted[name] = [ranking(test, w)[0] for w in corrections(train, base, epochs, seed, lr)]
        log(f"{name}: {out.base[name]} -> {out.fitted[name]} av {out.total[name]}")
    return out


def write(weights: np.ndarray, path: Path) -> Path:
    """Lay the weights over a model's tuning file (its thresholds stay as they are)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data["weights"] = {n: round(float(w), 4) for n, w in zip(UNIT_FEATURES, weights, strict=True)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.scorer",
        description="Anpassa poängsättningens vikter på QA-korpusen (train; val på dev).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    col = sub.add_parser(
        "collect",
        help="kandidaternas egenskaper och etiketter för en del",
        description="Exempel: python -m training.scorer collect --split train --out runs/train",
    )
    col.add_argument("--split", choices=["train", "dev", "test"], required=True)
    col.add_argument("--out", type=Path, required=True)
    col.add_argument("--data-dir", type=Path, help="datamapp för gruppernas index")
    col.add_argument("--only", nargs="*", help="bara dessa grupper (namn i splits.yaml)")
    _fitting(
        sub, "fit", "anpassa vikterna på train, välj epok på dev", "skriv vikterna i tuning-filen"
    )
    lop = _fitting(
        sub,
        "lopo",
        "lämna ut en utgivare i taget: anpassa på de andra, mät på den",
        "anpassa på alla utgivare med det bästa antalet epoker och skriv vikterna",
    )
    lop.add_argument(
        "--start",
        type=Path,
        help="börja från vikterna i denna tuning-fil (de som saknas: standardvärdena), "
        "inte från de nuvarande",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "collect":
        if args.data_dir:
            settings = settings.model_copy(update={"data_dir": args.data_dir})
        collect(args.split, settings, args.out, args.only)
        return 0
    base = np.asarray(Tuning.load(embedding=settings.embedding).weight_vector())
    if args.command == "lopo":
        if args.start is not None:
            base = start_weights(args.start)
        return _lopo_main(args, base, settings)
    weights = fit(
        load_split(args.data / "train"), load_split(args.data / "dev"), base, args.epochs, args.seed
    )
    _report(base, weights, args.write, settings)
    return 0


def _fitting(sub, name: str, help: str, write_help: str) -> argparse.ArgumentParser:
    """A subcommand that fits weights on the collected candidates in --data."""
    cmd = sub.add_parser(
        name,
        help=help,
        description=f"Exempel: python -m training.scorer {name} --data runs --write",
    )
    cmd.add_argument("--data", type=Path, required=True, help="mappen med train/ och dev/")
    cmd.add_argument("--epochs", type=int, default=10)
    cmd.add_argument("--seed", type=int, default=13)
    cmd.add_argument("--write", action="store_true", help=write_help)
    return cmd


def start_weights(path: Path) -> np.ndarray:
    """The weights of a tuning file over the hand-set defaults: a start that no publisher's
    questions have shaped, when the file holds weights fitted before (say, only calibrated)."""
    try:
        given = json.loads(path.read_text(encoding="utf-8")).get("weights", {})
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{path}: kan inte läsa vikterna: {exc}") from exc
    defaults = Tuning().weights
    return np.asarray([float(given.get(n, defaults.get(n, 0.0))) for n in UNIT_FEATURES])


def _lopo_main(args: argparse.Namespace, base: np.ndarray, settings: Settings) -> int:
    data = load_split(args.data / "train") + load_split(args.data / "dev")
    result = lopo(data, base, args.epochs, args.seed)
    epoch = result.best_epoch()
    print(f"\n{'utgivare':<36} {'frågor':>6} {'nu':>5} {'epok ' + str(epoch):>8}")
    for name, total in result.total.items():
        print(f"{name:<36} {total:>6} {result.base[name]:>5} {result.fitted[name][epoch - 1]:>8}")
    print(
        f"{'Totalt':<36} {sum(result.total.values()):>6} {sum(result.base.values()):>5} "
        f"{sum(h[epoch - 1] for h in result.fitted.values()):>8}"
    )
    if args.write:
        *_, last = corrections(data, base, epoch, args.seed)
        _report(base, rescaled(data, base, last), True, settings)
    return 0


def _report(base: np.ndarray, weights: np.ndarray, save: bool, settings: Settings) -> None:
    for name, old, new in zip(UNIT_FEATURES, base, weights, strict=True):
        print(f"  {name:<18} {old:8.3f} -> {new:8.3f}")
    if save:
        print(f"Skrev {write(weights, model_tuning_file(settings.embedding))}")


if __name__ == "__main__":
    sys.exit(main())
