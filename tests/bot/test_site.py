"""The deployment's own name: residents add it to questions the documents answer without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import PolicyBot
from bot.site import own_name_words, owner_words
from bot.text import Vocabulary
from config.settings import Settings

FEES = """---
id: avgifter-forskola
title: Avgifter för förskola
updated: 2024-01-15
kind: webbsida
---

# Avgifter för förskola

Avgiften för förskola är 1 500 kronor per månad för det första barnet.

För det andra barnet betalar du 1 000 kronor per månad.
"""


def test_owner_words_are_the_name_not_the_kind_of_body() -> None:
    nowhere = Path("/nonexistent")
    krokom = Settings(municipality="Krokoms kommun", corpus_dir=nowhere)
    assert owner_words(krokom) == {"krokoms", "krokom", "sverige"}
    region = Settings(municipality="Region Jämtland Härjedalen", corpus_dir=nowhere)
    assert owner_words(region) == {"jämtland", "härjedalen", "sverige"}
    # The neutral default names no body, only the country.
    assert owner_words(Settings(corpus_dir=nowhere)) == {"sverige"}


def test_own_name_words_keep_the_kind_of_body_and_common_words() -> None:
    nowhere = Path("/nonexistent")
    region = Settings(municipality="Region Västmanland", corpus_dir=nowhere)
    assert own_name_words(region) == {"region", "västmanland"}
    church = Settings(municipality="Svenska kyrkan", corpus_dir=nowhere)
    assert own_name_words(church) == {"svenska", "kyrkan"}
    assert own_name_words(Settings(corpus_dir=nowhere)) == frozenset()


def test_site_yaml_names_another_country(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "municipality: Korsholms kommun\ncountry: Finland\n", encoding="utf-8"
    )
    assert owner_words(Settings(corpus_dir=tmp_path)) == {"korsholms", "korsholm", "finland"}


def test_owner_words_are_corpus_words_and_its_subject() -> None:
    texts = ["Avgiften för förskola är 1 500 kronor."]
    vocabulary = Vocabulary(texts, owner=frozenset({"storvik"}))
    assert vocabulary.has("Storvik") and "storvik" in vocabulary.ubiquitous
    assert not Vocabulary(texts).has("Storvik")


@pytest.fixture
def fees_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "avgifter-forskola.md").write_text(FEES, encoding="utf-8")
    return corpus


def bot_for(tmp_path: Path, corpus: Path, name: str) -> PolicyBot:
    (corpus / "site.yaml").write_text(f"municipality: {name}\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / f"data-{name}", corpus_dir=corpus)
    return PolicyBot.from_settings(settings, progress=False)


def test_the_deployments_own_name_needs_no_mention(tmp_path: Path, fees_corpus: Path) -> None:
    question = "Vad kostar förskola i Storvik per månad?"
    own = bot_for(tmp_path, fees_corpus, "Storviks kommun").ask(question)
    assert not own.abstained and "1 500 kronor" in own.answer
    # Another body's name is still a question the documents do not answer.
    other = bot_for(tmp_path, fees_corpus, "Nordviks kommun").ask(question)
    assert other.abstained


def test_the_country_needs_no_mention_but_another_does(tmp_path: Path, fees_corpus: Path) -> None:
    bot = bot_for(tmp_path, fees_corpus, "Storviks kommun")
    here = bot.ask("Vad kostar förskola i Sverige per månad?")
    assert not here.abstained and "1 500 kronor" in here.answer
    assert bot.ask("Vad kostar förskola i Norge per månad?").abstained


@pytest.mark.parametrize(
    ("name", "question"),
    [
        ("Region Storvik", "Vad kostar förskola hos Region Storvik per månad?"),
        ("Svenska förskolan", "Vad kostar Svenska förskolans plats per månad?"),
    ],
)
def test_every_word_of_the_own_name_needs_no_mention(
    tmp_path: Path, fees_corpus: Path, name: str, question: str
) -> None:
    # "Region" and "Svenska" are capitalised in the question, so they count as names there,
    # yet they are the deployment's own name, which its documents need not repeat.
    answer = bot_for(tmp_path, fees_corpus, name).ask(question)
    assert not answer.abstained and "1 500 kronor" in answer.answer
    # The same question under another body's name still names something else.
    assert bot_for(tmp_path, fees_corpus, "Nordviks kommun").ask(question).abstained
