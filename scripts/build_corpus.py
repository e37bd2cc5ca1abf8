"""Build the corpus's PDF, DOCX and Markdown documents from corpus/sources/*.txt, and the binary test fixtures.

Run: .venv/bin/python scripts/build_corpus.py   (needs fpdf2, python-docx and the DejaVu fonts;
LibreOffice, when present, also makes the .doc fixture). The outputs are committed; this script documents
and reproduces them.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "corpus" / "sources"
DOCUMENTS = ROOT / "corpus" / "documents"
FIXTURES = ROOT / "tests" / "fixtures"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
MOTTO = {
    "vi": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
    "en": ("SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness"),
}


def read_source(path: Path) -> tuple[dict, list[str]]:
    """Front matter and body lines of a source file."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    meta = yaml.safe_load(match.group(1))
    return meta, [l for l in text[match.end():].splitlines() if l.strip()]


def build_docx(meta: dict, lines: list[str], out: Path) -> None:
    """A Word document with the two-column header table Vietnamese offices use."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    lang = meta.get("lang", "vi")
    document = docx.Document()
    document.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.text = f"{meta['issuer_parent']}\n{meta['issuer']}\n-------\n{meta['number']}"
    right.text = f"{MOTTO[lang][0]}\n{MOTTO[lang][1]}\n---------------\n{meta['place_date']}"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(meta["type"]).bold = True
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(meta["title"]).bold = True
    if meta.get("note"):
        document.add_paragraph().add_run(meta["note"]).italic = True
    for line in lines:
        if line.startswith("## "):
            paragraph = document.add_paragraph()
            paragraph.add_run(line[3:]).bold = True
        else:
            document.add_paragraph(line)
    document.add_paragraph().add_run(meta.get("signer", "")).bold = True
    document.save(out)


class _Pdf:
    """fpdf2 with a running header and a page-number footer, the artefacts real PDFs carry."""

    def __new__(cls, running_header: str):
        from fpdf import FPDF

        class Doc(FPDF):
            def header(self):
                if self.page_no() > 1 and running_header:
                    self.set_font("DejaVu", size=8)
                    self.cell(0, 6, running_header, align="C", new_x="LMARGIN", new_y="NEXT")
                    self.ln(2)

            def footer(self):
                self.set_y(-12)
                self.set_font("DejaVu", size=8)
                self.cell(0, 6, f"Trang {self.page_no()}", align="C")

        pdf = Doc(format="A4")
        pdf.set_creation_date(FIXED_DATE)
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSerif.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
        pdf.set_auto_page_break(True, margin=18)
        return pdf


def build_pdf(meta: dict, lines: list[str], out: Path, size: int = 14) -> None:
    """A text-layer PDF with a two-column header, running header and page numbers."""
    lang = meta.get("lang", "vi")
    pdf = _Pdf(meta.get("running_header", ""))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 10)
    y = pdf.get_y()
    pdf.multi_cell(85, 5, f"{meta['issuer_parent']}\n{meta['issuer']}\n{meta['number']}", align="C")
    pdf.set_xy(100, y)
    pdf.multi_cell(100, 5, f"{MOTTO[lang][0]}\n{MOTTO[lang][1]}\n{meta['place_date']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), y + 20))
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, meta["type"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, 6, meta["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    if meta.get("note"):
        pdf.set_font("DejaVu", "", size - 2)
        pdf.multi_cell(0, 5, meta["note"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for line in lines:
        bold = line.startswith("## ")
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, 8, line[3:] if bold else line, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(out))


def build_markdown(meta: dict, lines: list[str], out: Path) -> None:
    """A Markdown document whose header block is plain lines, as pasted from an office document."""
    body = [meta["issuer_parent"], meta["issuer"], meta["number"], MOTTO["vi"][0], MOTTO["vi"][1], meta["place_date"], "", meta["type"], meta["title"], "", f"*{meta['note']}*", ""]
    body += [("#" + line[2:]) if line.startswith("## ") else line for line in lines]
    out.write_text("\n".join(body) + "\n", encoding="utf-8")


def build_corpus() -> None:
    """Render every source into corpus/documents."""
    builders = {"docx": build_docx, "pdf": build_pdf, "markdown": build_markdown}
    suffixes = {"docx": ".docx", "pdf": ".pdf", "markdown": ".md"}
    for source in sorted(SOURCES.glob("*.txt")):
        meta, lines = read_source(source)
        out = DOCUMENTS / f"{meta['doc_id']}{suffixes[meta['format']]}"
        builders[meta["format"]](meta, lines, out)
        print("built", out.relative_to(ROOT))


def build_signed_copy(meta: dict, lines: list[str], out: Path) -> None:
    """An electronically signed copy: the text layer leaves the number and the day and month blank, and
    signature fields stamp them ("3164", "29", "10") over the blanks, as government signing systems do."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, TextStringObject

    blank = dict(meta, number="Số:        /QĐ-UBND", place_date="Hải Dương, ngày      tháng      năm 2021")
    with tempfile.TemporaryDirectory() as tmp:
        build_pdf(blank, lines, Path(tmp) / "unsigned.pdf")
        writer = PdfWriter(clone_from=str(Path(tmp) / "unsigned.pdf"))
    page = writer.pages[0]
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    annotations = ArrayObject()
    for number, (text, left) in enumerate((("3164", 80), ("29", 420), ("10", 470)), start=1):
        appearance = DecodedStreamObject()
        appearance.set_data(f"BT /F1 10 Tf 2 6 Td ({text}) Tj ET".encode())
        appearance.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                           NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(30), FloatObject(20)]),
                           NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})})
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject(f"Signature{number}"),
            NameObject("/Rect"): ArrayObject([FloatObject(left), FloatObject(735), FloatObject(left + 30), FloatObject(755)]),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        })
        annotations.append(writer._add_object(widget))
    page[NameObject("/Annots")] = annotations
    writer.write(str(out))


def build_fixtures() -> None:
    """Small binary files the tests read: good and bad PDFs and DOCX, and a DOC when LibreOffice is present."""
    from fpdf import FPDF

    FIXTURES.mkdir(parents=True, exist_ok=True)
    meta, lines = read_source(SOURCES / "qd-3164-2021.txt")
    build_pdf(meta, lines, FIXTURES / "decision.pdf")
    build_docx(meta, lines, FIXTURES / "decision.docx")

    scanned = FPDF()
    scanned.set_creation_date(FIXED_DATE)
    for _ in range(2):
        scanned.add_page()
        scanned.set_fill_color(200, 200, 200)
        scanned.rect(20, 20, 170, 250, style="F")  # a page that is only a picture
    scanned.output(str(FIXTURES / "scanned.pdf"))

    garbled = _Pdf("")
    garbled.add_page()
    garbled.set_font("DejaVu", "", 12)
    # What a legacy TCVN3 font looks like through a broken glyph map.
    for _ in range(12):
        garbled.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text="Qu¶n lý nhµ n­íc vÒ c«ng nghiÖp hç trî cña tØnh H¶i D­¬ng ®­îc giao cho Së C«ng Th­¬ng thùc hiÖn.")
    garbled.output(str(FIXTURES / "garbled.pdf"))

    substitutes = _Pdf("")
    substitutes.add_page()
    substitutes.set_font("DejaVu", "", 12)
    substitutes.multi_cell(0, 6, "Chính sách ƣu đãi đầu tƣ cho doanh nghiệp công nghiệp hỗ trợ được áp dụng theo quy định. "
                                 "Doanh nghiệp đƣợc hỗ trợ chi phí đào tạo nhân lực và tƣ vấn kỹ thuật trong năm đầu hoạt động.")
    substitutes.output(str(FIXTURES / "font-substitutes.pdf"))

    locked = _Pdf("")
    locked.add_page()
    locked.set_font("DejaVu", "", 12)
    locked.multi_cell(0, 6, "Tài liệu mật có mật khẩu.")
    locked.set_encryption(owner_password="owner-secret", user_password="user-secret")
    locked.output(str(FIXTURES / "encrypted.pdf"))

    build_signed_copy(meta, lines[:6], FIXTURES / "signed-copy.pdf")

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([office, "--headless", "--convert-to", "doc", "--outdir", tmp, str(FIXTURES / "decision.docx")],
                           check=True, capture_output=True, timeout=300)
            shutil.copy(Path(tmp) / "decision.doc", FIXTURES / "decision.doc")
    else:
        print("LibreOffice not found: tests/fixtures/decision.doc left as it is", file=sys.stderr)
    print("built fixtures in", FIXTURES.relative_to(ROOT))


if __name__ == "__main__":
    build_corpus()
    build_fixtures()
