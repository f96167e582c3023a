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
        ("trasig.md", b"\xff\xfe\x00 inte utf-8", "UTF-8"),
        ("tom.md", b"---\nid: tom\n---\n\n", "no text"),
        ("fel.md", b"---\nid: [oavslutad\n---\n\nText.", "front matter"),
        ("trasig.pdf", b"%PDF-1.4 nonsense", ""),
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
    assert reason in err.value.reason


def test_discover_skips_unsupported_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText.", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(b"binary")
    (tmp_path / ".dold.md").write_text("# Dold", encoding="utf-8")
    assert [p.name for p in discover(tmp_path)] == ["a.md"]
