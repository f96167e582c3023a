"""Which index each group of the splits is asked of: one per folder of documents, not per group."""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from training.passrate import group_target, index_key


def test_groups_over_the_same_folder_share_one_index_and_others_keep_their_own() -> None:
    settings = Settings()
    a, b = (group_target(n, settings) for n in ("regeringen-a", "regeringen-b"))
    assert a is not None and b is not None and a[1] == b[1]  # one folder of pages, two files
    assert index_key("regeringen-a", *a[:2]) == index_key("regeringen-b", *b[:2])
    # The same publisher's name over other documents is another index.
    shared = Path("/x/shared/corpora/regeringen")
    snapshots = Path("/x/snapshot-corpora/regeringen")
    assert index_key("regeringen-a", "regeringen-a", shared) != index_key(
        "regeringen-d", "regeringen-d", snapshots
    )
    # Luleå's public and held-out sets are asked of the same corpus/.
    corpus = Path("/x/policybot/corpus")
    assert index_key("evals/sets", "lulea", corpus) == index_key(
        "evals/holdout", "lulea-holdout", corpus
    )
    # An eval set with documents of its own, and two publishers, each have their own.
    femte = Path("/x/shared/evals-corpora/femte/corpus")
    sjatte = Path("/x/shared/evals-corpora/sjatte/corpus")
    assert index_key("evals/external/femte", "femte", femte) != index_key(
        "evals/external/sjatte", "sjatte", sjatte
    )
    assert index_key("msb", "msb", Path("/x/corpora/msb")) != index_key(
        "boverket", "boverket", Path("/x/corpora/boverket")
    )
