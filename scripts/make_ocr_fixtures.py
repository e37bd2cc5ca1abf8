"""Build the OCR test fixtures: a Vietnamese legal page rendered, rasterised at 250 dpi with a little noise
and skew, and wrapped as an image-only PDF (a scan), with its text as the ground truth; the top of the same
page as a PNG; and a PDF whose first page is that scan under a broken OCR text layer while its second page
has a good text layer.

Run: .venv/bin/python scripts/make_ocr_fixtures.py   (needs Pillow, fpdf2 and the DejaVu fonts).
The outputs in tests/fixtures/ are committed; this script documents and reproduces them.
"""
from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DPI = 250
A4_MM = (210, 297)
SEED = 14

HEADER = [
    # (left column, right column, bold)
    ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
    ("TỈNH HẢI DƯƠNG", "Độc lập - Tự do - Hạnh phúc", True),
    ("", "", False),
    ("Số: 45/QĐ-UBND", "Hải Dương, ngày 12 tháng 3 năm 2024", False),
]
TITLE = [
    ("QUYẾT ĐỊNH", True),
    ("Về việc ban hành Quy chế hỗ trợ doanh nghiệp công nghiệp hỗ trợ", True),
    ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", True),
]
BODY = [
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", False),
    ("Căn cứ Nghị định số 111/2015/NĐ-CP ngày 03 tháng 11 năm 2015 của Chính phủ về phát triển công nghiệp hỗ trợ;", False),
    ("Theo đề nghị của Giám đốc Sở Công Thương.", False),
    ("QUYẾT ĐỊNH:", True),
    ("Điều 1. Hỗ trợ doanh nghiệp sản xuất sản phẩm công nghiệp hỗ trợ", True),
    ("1. Doanh nghiệp được hỗ trợ tối đa 50% chi phí thuê chuyên gia tư vấn cải tiến sản xuất, không quá 200 triệu đồng mỗi năm.", False),
    ("2. Hồ sơ đề nghị hỗ trợ nộp tại Sở Công Thương trước ngày 30 tháng 9 hằng năm.", False),
    ("Điều 2. Hiệu lực thi hành", True),
    ("Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 4 năm 2024.", False),
    ("Điều 3. Tổ chức thực hiện", True),
    ("Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Công Thương và các doanh nghiệp có liên quan chịu trách nhiệm thi hành Quyết định này.", False),
]
# What an English-model OCR made of the header (the layer a real penalty decision carried)
BROKEN_LAYER = [
    "UY BAN NHAN DAN ceNG noa xA Her cHU Ncuia vrET NAM",
    "TiNH HAI DUONG Dec lap - Tu do - Hanh phtic",
    "S6: 4S /QD-UBND Hai Duong, ngay 12 thang 3 nam 2024",
    "QUYET DINH",
    "Ve viec ban hanh Quy che ho tro doanh nghiep cong nghiep ho tro",
    "CHU TICH UY BAN NHAN DAN TiNH HAI DUONG",
    "Can cu Luat T6 chirc chinh quyén dia phuong ngay 19 thang 6 nam 2015;",
    "Can cur Nghi dinh s6 111/2015/ND-CP ngay 03 thang 11 nam 2015 cia Chinh phi vé phat trién céng nghiép hé tro;",
]
APPENDIX = [
    "PHỤ LỤC",
    "Danh mục hồ sơ đề nghị hỗ trợ",
    "1. Đơn đề nghị hỗ trợ theo mẫu của Sở Công Thương.",
    "2. Bản sao giấy chứng nhận đăng ký doanh nghiệp.",
    "3. Hợp đồng thuê chuyên gia tư vấn cải tiến sản xuất và hóa đơn chi phí.",
    "Hồ sơ nộp trực tiếp tại bộ phận một cửa của Sở Công Thương hoặc qua dịch vụ bưu chính.",
]


def px(mm: float) -> int:
    """Millimetres on the page to pixels at the scan resolution."""
    return round(mm / 25.4 * DPI)


def font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
    """Times-like serif at a point size, as pixels at the scan resolution."""
    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), round(size_pt / 72 * DPI))


def wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int) -> list[str]:
    """Lines of a paragraph that fit the width."""
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=face) <= width:
            current = trial
        else:
            lines.append(current)
            current = word
    return [*lines, current] if current else lines


def render_page() -> tuple[Image.Image, list[str], int]:
    """The clean page, its text (header columns left then right, as a reader takes them) and the pixel row
    where the title ends."""
    width, height = px(A4_MM[0]), px(A4_MM[1])
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    left, right = px(25), width - px(20)
    truth_left, truth_right = [], []
    y = px(18)
    for left_text, right_text, bold in HEADER:
        face = font(12.5, bold)
        if left_text:
            x = px(25) + (px(70) - draw.textlength(left_text, font=face)) / 2
            draw.text((x, y), left_text, font=face, fill=0)
            truth_left.append(left_text)
        if right_text:
            rface = font(12.5, bold) if bold else ImageFont.truetype(str(FONT_DIR / "DejaVuSerif-Italic.ttf"), face.size)
            x = px(95) + (right - px(95) - draw.textlength(right_text, font=rface)) / 2
            draw.text((x, y), right_text, font=rface, fill=0)
            truth_right.append(right_text)
        y += round(face.size * 1.45)
    truth = truth_left[:2] + truth_right[:2] + [truth_left[2], truth_right[2]]
    y += px(6)
    for text, bold in TITLE:
        face = font(13.5 if text == "QUYẾT ĐỊNH" else 13, bold)
        for line in wrap(draw, text, face, right - left):
            draw.text(((width - draw.textlength(line, font=face)) / 2, y), line, font=face, fill=0)
            truth.append(line)
            y += round(face.size * 1.45)
        y += px(2)
    title_end = y
    y += px(4)
    for text, bold in BODY:
        face = font(13, bold)
        lines = wrap(draw, text, face, right - left - px(10))
        for index, line in enumerate(lines):
            indent = px(10) if index == 0 and not text.startswith("QUYẾT") else 0
            x = (width - draw.textlength(line, font=face)) / 2 if text == "QUYẾT ĐỊNH:" else left + indent
            draw.text((x, y), line, font=face, fill=0)
            y += round(face.size * 1.5)
        truth.append(text)
        y += px(1.5)
    return page, truth, title_end


def scanned(page: Image.Image, rng: random.Random) -> Image.Image:
    """The page as a scanner gives it: slightly blurred, skewed by under a degree, grey noise and specks."""
    image = page.filter(ImageFilter.GaussianBlur(0.6)).rotate(0.6, resample=Image.BICUBIC, fillcolor=255, expand=False)
    image = ImageChops.add(image, Image.effect_noise(image.size, 16), offset=-128)  # grey noise around each pixel
    draw = ImageDraw.Draw(image)
    for _ in range(600):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        draw.point((x, y), fill=rng.randrange(0, 120))
    return image.point(lambda v: 255 if v > 200 else v)  # paper white, as a scanner's threshold does


def image_pdf(pages: list[Image.Image], out: Path, layers: list[list[str]] | None = None,
              text_pages: list[list[str]] | None = None) -> None:
    """A PDF of page images (each optionally under an invisible text layer), then text-only pages."""
    from fpdf import FPDF
    from fpdf.enums import TextMode

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(dt.datetime(2024, 3, 12, tzinfo=dt.UTC))
    pdf.add_font("Serif", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.set_auto_page_break(False)
    for index, image in enumerate(pages):
        pdf.add_page()
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=50, dpi=(DPI, DPI))
        buffer.seek(0)
        pdf.image(buffer, x=0, y=0, w=A4_MM[0], h=A4_MM[0] * image.height / image.width)
        if layers and layers[index]:
            pdf.set_font("Serif", size=12)
            pdf.text_mode = TextMode.INVISIBLE
            pdf.set_xy(20, 20)
            for line in layers[index]:
                pdf.multi_cell(170, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.text_mode = TextMode.FILL
    for lines in text_pages or []:
        pdf.add_page()
        pdf.set_font("Serif", size=13)
        pdf.set_xy(25, 25)
        for line in lines:
            pdf.multi_cell(160, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))


def main() -> None:
    """Write the fixtures."""
    rng = random.Random(SEED)
    page, truth, title_end = render_page()
    scan = scanned(page, rng)
    image_pdf([scan], FIXTURES / "scan-decision.pdf")
    (FIXTURES / "scan-decision.txt").write_text("\n".join(truth) + "\n", encoding="utf-8")
    top = scan.crop((0, 0, scan.width, title_end + px(1)))
    top.save(FIXTURES / "scan-header.png", optimize=True, dpi=(DPI, DPI))
    header_page = Image.new("L", scan.size, 255)
    header_page.paste(top, (0, 0))
    image_pdf([header_page], FIXTURES / "garbled-layer.pdf", layers=[BROKEN_LAYER], text_pages=[APPENDIX])
    for name in ("scan-decision.pdf", "scan-header.png", "garbled-layer.pdf"):
        print(f"{name}: {(FIXTURES / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
