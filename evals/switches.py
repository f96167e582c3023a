"""Topic switches: each answerable question asked right after an unrelated one."""

from __future__ import annotations

import random
from collections.abc import Sequence

from evals.schema import Item

# A switched item's id is its question's id with this suffix, so a run of switches compares
# with another run of switches, never with the questions asked alone.
SUFFIX = "~byte"
TAG = "amnesbyte"


def switched(items: Sequence[Item], seed: int = 0) -> list[Item]:
    """Every answerable question without history, asked after a question about other documents
    of the same file: what a resident does who changes the subject mid-conversation. It must
    pass as it would alone, so the earlier question's words must not be taken as its topic.

    The earlier question is drawn (seeded) among the file's questions that cite none of the
    item's documents; an item with no such question, a follow-up and a must-abstain item are
    left out."""
    rng = random.Random(seed)
    by_file: dict[str, list[Item]] = {}
    for item in items:
        by_file.setdefault(item.file, []).append(item)
    out: list[Item] = []
    for group in by_file.values():
        openers = [i for i in group if not i.history and i.sources]
        for item in group:
            if item.history or item.abstain or not item.sources:
                continue
            others = [o for o in openers if not set(o.sources) & set(item.sources)]
            if not others:
                continue
            out.append(
                item.model_copy(
                    update={
                        "id": item.id + SUFFIX,
                        "history": [rng.choice(others).question],
                        "tags": [*item.tags, TAG],
                    }
                )
            )
    return out
