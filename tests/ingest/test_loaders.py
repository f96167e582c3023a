"""Loading Markdown with front matter, plain text, HTML (main text only) and PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import LoadError, discover, load_file


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a line of Helvetica text, written by hand (no PDF library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_markdown_front_matter(small_corpus: Path) -> None:
    doc = load_file(small_corpus / "vanorter.md")
    assert doc.doc_id == "vanorter"
    assert doc.title == "Vänorter i Exempelby"
    assert doc.updated == "2024-05-01"
    assert doc.kind == "plan"
    assert doc.url == "https://example.org/vanorter"
    assert doc.body.startswith("\n# Vänorter i Exempelby") or doc.body.startswith("# Vänorter")
    assert "---" not in doc.body.splitlines()[0]


def test_real_corpus_front_matter() -> None:
    from config.settings import DEFAULT_CORPUS

    docs = {d.doc_id: d for d in map(load_file, discover(DEFAULT_CORPUS))}
    assert set(docs) == {"internationella-organisationer", "plan-internationellt-arbete"}
    assert docs["internationella-organisationer"].updated == "2021-10-07"
    assert docs["internationella-organisationer"].kind == "webbsida"
    assert docs["plan-internationellt-arbete"].updated == "2021-12-03"
    assert docs["plan-internationellt-arbete"].kind == "plan"
    assert all(d.url is None for d in docs.values())


def test_plain_text_uses_first_line_as_title(small_corpus: Path) -> None:
    doc = load_file(small_corpus / "anteckning.txt")
    assert doc.title == "Anteckning om energi"
    assert "klimatneutral senast 2035" in doc.body


def test_html_keeps_main_text_only(small_corpus: Path) -> None:
    doc = load_file(small_corpus / "sida.html")
    assert doc.title == "Om Exempelby"
    assert "# Om Exempelby" in doc.body
    assert "## Hamnen" in doc.body
    assert "- Gästhamn\n- Fiskehamn" in doc.body
    for chrome in ("SKRIPTTEXT", "Meny", "Sidfot"):
        assert chrome not in doc.body


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(_minimal_pdf("Exempelby har en hamn."))
    doc = load_file(path)
    assert "Exempelby har en hamn." in doc.body
    assert doc.doc_id == "rapport"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binar.md", b"\x00\x01\x02 inte text", "filen innehåller binära data, inte text"),
        ("tom.md", b"---\nid: tom\n---\n\n", "filen innehåller ingen text"),
        ("tom.txt", b"", "filen innehåller ingen text"),
        ("fel.md", b"---\nid: [oavslutad\n---\n\nText.", "ogiltig YAML i front matter (rad 2:"),
        ("oavslutad.md", b"---\nid: x\ntitle: T\n\n# Rubrik\n\nText.", "avslutande raden ---"),
        ("lista.md", b"---\n- a\n- b\n---\n\nText.", "front matter är inte en lista med"),
        ("trasig.pdf", b"%PDF-1.4 nonsense", "PDF-filen är trasig"),
        ("utf16.txt", b"\xff\xfe\x41", "okänd teckenkodning"),
        ("konstig.txt", b"Text \x81\x8d\x90 mer", "varken UTF-8 eller Windows-1252"),
    ],
)
def test_unreadable_files_raise_naming_the_file(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load_file(path)
    assert err.value.path == path
    assert name in str(err.value)
    assert reason in err.value.reason, err.value.reason


def test_pdf_without_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "skannad.pdf"
    path.write_bytes(_minimal_pdf(""))
    with pytest.raises(LoadError, match="PDF-filen innehåller ingen text"):
        load_file(path)


def test_files_over_the_limit_are_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "stor.md"
    with path.open("wb") as fh:  # 50 MB, sparse: the limit is checked before reading
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(LoadError) as err:
        load_file(path, max_bytes=20 * 1024 * 1024)
    assert err.value.reason == (
        "filen är 50,0 MB, större än gränsen 20,0 MB (POLICYBOT_MAX_FILE_MB)"
    )
    small = tmp_path / "liten.md"
    small.write_text("# Liten\n\nText.", encoding="utf-8")
    assert load_file(small, max_bytes=small.stat().st_size).title == "Liten"  # at the limit


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_windows_1252_text_keeps_swedish_letters(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"windows{suffix}"
    text = "Åtgärder för äldre i Öby: å ä ö Å Ä Ö – bra."
    body = f"<html><body><p>{text}</p></body></html>" if suffix == ".html" else text
    path.write_bytes(body.encode("cp1252"))
    assert "å ä ö Å Ä Ö – bra." in load_file(path).body


def test_utf8_and_utf16_with_byte_order_marks(tmp_path: Path) -> None:
    for name, data in [
        ("bom8.txt", "\ufeffÅsa i Öby.".encode()),
        ("bom16.txt", "Åsa i Öby.".encode("utf-16")),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        assert load_file(path).body.strip() == "Åsa i Öby."


def test_discover_skips_unsupported_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText.", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(b"binary")
    (tmp_path / ".dold.md").write_text("# Dold", encoding="utf-8")
    assert [p.name for p in discover(tmp_path)] == ["a.md"]
