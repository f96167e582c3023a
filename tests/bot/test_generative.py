"""The optional OpenAI-compatible answerer, against a local fake server (unit test)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bot.answerer import Answer, Citation
from bot.generative import OpenAIAnswerer
from config.settings import Settings
from config.tuning import Tuning
from tests.bot.fakes import HashingEmbeddings


class _Extractive:
    """Stands in for the extractive answerer: a fixed grounded answer, and the embeddings and
    tuning the gate takes from it (hashing vectors with a threshold on their scale)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.embeddings = HashingEmbeddings()
        self.tuning = Tuning().model_copy(update={"gate_min_similarity": 0.3})

    def __call__(self, state: dict) -> Answer:
        return Answer(**{**self.answer.__dict__})


def _grounded() -> Answer:
    quote = "Luleå har avslutat sitt samarbete med Kina."
    return Answer(
        answer=f"Nej. {quote} [1]",
        abstained=False,
        citations=[Citation(1, "plan", "Plan", "Inriktning", quote, "2021-12-03", None)],
    )


@pytest.fixture
def chat_server():
    replies: list[str] = []
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            reply = replies.pop(0)
            if reply == "500":
                self.send_response(500)
                self.end_headers()
                return
            data = json.dumps({"choices": [{"message": {"content": reply}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1", replies, seen
    server.shutdown()


def _answerer(url: str) -> OpenAIAnswerer:
    settings = Settings(answerer="openai:test-model", openai_base_url=url)
    return OpenAIAnswerer(settings=settings, extractive=_Extractive(_grounded()))


class _Info:
    original = "Samarbetar Luleå med Kina?"


def test_model_text_is_used_when_it_cites_the_passages(chat_server) -> None:
    url, replies, seen = chat_server
    replies.append("Nej, Luleå har avslutat samarbetet med Kina [1].")
    answer = _answerer(url)({"info": _Info()})
    assert answer.answer == "Nej, Luleå har avslutat samarbetet med Kina [1]."
    assert answer.answerer == "generative" and answer.gate == []
    assert answer.to_dict()["answerer"] == "generative"
    assert answer.citations[0].quote == "Luleå har avslutat sitt samarbete med Kina."
    assert seen[0]["model"] == "test-model"
    assert "[1] Luleå har avslutat" in seen[0]["messages"][1]["content"]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("500", "språkmodellen svarade inte"),
        ("Ja, absolut!", "ingen källa"),
        ("Se källa [7].", "okänd källa"),
        ("Luleå avslutade samarbetet med Kina 2019 [1].", "2019"),
        ("Det framgår inte av dokumenten.", "språkmodellen avstod"),
    ],
)
def test_falls_back_to_the_grounded_answer(chat_server, reply: str, reason: str) -> None:
    url, replies, _ = chat_server
    replies.append(reply)
    answer = _answerer(url)({"info": _Info()})
    assert answer.answer == _grounded().answer
    assert answer.answerer == "extractive-fallback"
    assert any(reason in r for r in answer.gate), answer.gate
    assert answer.to_dict()["gate"] == answer.gate


def test_an_invented_sentence_is_cut_and_the_rest_shown(chat_server) -> None:
    url, replies, _ = chat_server
    replies.append(
        "Luleå har avslutat sitt samarbete med Kina [1]. Avtalet med Peking sades upp 2018 [1]."
    )
    answer = _answerer(url)({"info": _Info()})
    assert answer.answerer == "generative"
    assert answer.answer == "Luleå har avslutat sitt samarbete med Kina [1]."
    assert len(answer.gate) == 1 and "Peking" in answer.gate[0]


def test_the_page_says_a_language_model_wrote_the_text(chat_server) -> None:
    from bot.web.render import render_answer

    url, replies, _ = chat_server
    replies.append("Nej, Luleå har avslutat samarbetet med Kina [1].")
    assert "skriven av en språkmodell" in render_answer(_answerer(url)({"info": _Info()}))
    assert "språkmodell" not in render_answer(_grounded())
