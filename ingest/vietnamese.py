"""Vietnamese text: Unicode NFC, one tone-mark placement, glyph repair, diacritic folding, segmentation, and
the word lists (stopwords, frequent syllables) with the one function that takes the content words of a question."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Glyphs that broken PDF font maps put in place of Vietnamese letters.
_GLYPH_SUBSTITUTES = str.maketrans(
    {
        "\u01a3": "ư",  # ƣ (LATIN SMALL LETTER OI)
        "\u01a2": "Ư",  # Ƣ
        "\u00d0": "Đ",  # Ð (ETH) used for Đ
        "\u00ad": "",  # soft hyphen
        "\u200b": "",  # zero-width space
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)

_TONED = {
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
    "o": "òóỏõọ",
    "u": "ùúủũụ",
}


def _tone_pairs() -> dict[str, str]:
    """Old-style placements (hoà, khoẻ, thuỷ) mapped to the modern one (hòa, khỏe, thủy)."""
    pairs: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in range(5):
            old = first + _TONED[second][tone]
            new = _TONED[first][tone] + second
            for f_case in (str.lower, str.upper):
                for s_case in (str.lower, str.upper):
                    pairs[f_case(old[0]) + s_case(old[1])] = f_case(new[0]) + s_case(new[1])
    return pairs


_TONE_PAIRS = _tone_pairs()
_TONE_RE = re.compile(r"(?<![\w])(\w*?)(" + "|".join(map(re.escape, _TONE_PAIRS)) + r")(?!\w)")


_ONSET_LETTERS = set("bcdghklmnpqrstvxđBCDGHKLMNPQRSTVXĐ")


def _place_tone(match: re.Match[str]) -> str:
    onset, pair = match.group(1), match.group(2)
    if pair[0] in "uU" and onset[-1:] in ("q", "Q"):
        return match.group(0)  # "quý": the u belongs to the onset, the tone stays on y
    if not all(c in _ONSET_LETTERS for c in onset):
        return match.group(0)  # only a consonant onset makes an open diphthong syllable
    return onset + _TONE_PAIRS[pair]


def normalize_text(text: str) -> str:
    """NFC, repaired glyphs, one tone-mark placement and tidy spaces, keeping line breaks."""
    text = unicodedata.normalize("NFC", text).translate(_GLYPH_SUBSTITUTES)
    text = _TONE_RE.sub(_place_tone, text)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0x00C0, 0x1EFF + 1):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
        if base != char and base.isascii():
            table[code] = base
    for code in range(0x0300, 0x0370):  # combining marks left in text that was not composed
        table[code] = None
    return table


_FOLD_TABLE = _fold_table()


def fold(text: str) -> str:
    """Lower-case text without diacritics (`Hỗ trợ Đầu tư` → `ho tro dau tu`)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).lower()


_VI_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def has_vietnamese_diacritics(text: str) -> bool:
    """Whether the text contains any letter only Vietnamese spelling uses."""
    return any(c in _VI_LETTERS for c in text.lower())


# Document numbers (3164/QĐ-UBND, 111/2015/NĐ-CP), dates and decimal numbers stay single tokens.
PROTECTED_TOKEN_RE = re.compile(
    r"\d+(?:/\d{2,4})?/[A-ZĐa-zđ][\wĐđ]*(?:-[\wĐđ]+)*"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d+(?:[.,]\d+)+"
)
_WORD_RE = re.compile(r"\w+(?:_\w+)*")


@lru_cache(maxsize=1)
def _pyvi_tokenizer():
    from pyvi import ViTokenizer  # noqa: PLC0415 — it loads a CRF model: on first use

    return ViTokenizer


def segment_words(text: str) -> list[str]:
    """Lower-case Vietnamese words (`hỗ_trợ`, `doanh_nghiệp`) with document numbers and dates whole."""
    tokens: list[str] = []
    tokenizer = _pyvi_tokenizer()
    pos = 0
    for match in PROTECTED_TOKEN_RE.finditer(text):
        tokens.extend(_segment_plain(text[pos : match.start()], tokenizer))
        tokens.append(match.group(0).lower())
        pos = match.end()
    tokens.extend(_segment_plain(text[pos:], tokenizer))
    return tokens


def _segment_plain(text: str, tokenizer) -> list[str]:
    if not text.strip():
        return []
    if has_vietnamese_diacritics(text):
        text = tokenizer.tokenize(text)
    return _WORD_RE.findall(text.lower())


def folded_terms(text: str) -> list[str]:
    """Diacritic-free syllables and syllable pairs, so `ho tro doanh nghiep` matches `hỗ trợ doanh nghiệp`."""
    terms: list[str] = []
    pos = 0
    syllables: list[str] = []
    for match in PROTECTED_TOKEN_RE.finditer(text):
        syllables.extend(_WORD_RE.findall(fold(text[pos : match.start()])))
        syllables.append(fold(match.group(0)))
        pos = match.end()
    syllables.extend(_WORD_RE.findall(fold(text[pos:])))
    terms.extend(syllables)
    terms.extend(f"{a}_{b}" for a, b in zip(syllables, syllables[1:]))
    return terms


# Word lists: the one home for them.
# Frequent Vietnamese syllables that are not English words, as typed without diacritics.
VI_COMMON_SYLLABLES = frozenset(
    "cua va cac nhung duoc cho voi trong khong nay theo tai ve nguoi doanh nghiep ho tro cong "
    "nghiep khu cum dau tu thue dat tinh huyen xa nam ngay thang so quyet dinh nghi thong "
    "dieu khoan diem muc chuong phan hoac phai neu thi khi da se dang bao nhieu gi nao sao "
    "the nhu mot hai ba bon chinh sach uu dai vay von san xuat may moc det thiet bi dao tao "
    "chuong trinh ke hoach viec lam lao dong duong nuoc dien phat trien quy hoach hang hoa "
    "thu tuc ho so nop o dau ai lien he co duoc khong can muon biet tim hieu ra".split()
)
EN_STOPWORDS = frozenset(
    "a an the of and or to in on for with by from at as is are was were be been does do did can could should would "
    "what which who whom whose how when where why there this that these those it its my our your their i we you they "
    "me us any some many much about into than then so if not no get gets have has".split()
)
# Function syllables that say nothing about a question's topic (as typed without diacritics).
VI_STOPWORDS = frozenset(
    "la gi cua va cac nhung co khong duoc cho voi trong nao bao nhieu the nhu ve o dau tai theo mot nay do thi hay "
    "hoac khi nao sao vi neu can phai da se dang con toi chung ban minh duoc ai moi ra vao len xuong rang tu den "
    "nhung ma ca vay a nhi".split()
)
# The same function words with their diacritics ("có", "đâu": not "Dầu", not "Bản").
VI_FUNCTION_WORDS = frozenset(
    "là gì của và các những có không được cho với trong nào bao nhiêu thế như về ở đâu tại theo một này đó thì hay "
    "hoặc khi sao vì nếu cần phải đã sẽ đang còn tôi chúng bạn mình ai mới ra vào lên xuống rằng từ đến mà cả vậy "
    "mấy".split()
)
# Capitalised words that name a kind of document, body or place rather than one of them ("Luật", "Cụm",
# "Tỉnh", "Sở Công Thương"), and the country every document here shares ("Việt Nam"): they separate
# proper names and are never one. Lower case, with diacritics.
NAME_GENERIC_WORDS = frozenset(
    "luật nghị định thông tư quyết hiệp chỉ thị công văn kế hoạch đề án cụm khu tỉnh thành phố huyện xã "
    "phường sở bộ ủy uỷ ban ubnd chính phủ nhà nước hội việt cộng hòa hoà chủ nghĩa điều khoản "
    "chương mục phụ lục quản lý tâm cục vụ phòng doanh nghiệp dự chương trình thương thủ tướng "
    "nhân dân khóa lớp thảo giấy phép tiêu chuẩn quy hợp".split()
)
# Words after which a capitalised word begins a document's title ("Luật Dầu khí"), and the lower-case words
# that never continue such a title ("quy" of "Luật Hóa chất quy định"). Lower case.
LAW_KINDS = frozenset("luật định tư án".split())
NOT_TITLE_WORDS = frozenset("quy có là được về của và gì nào năm ban số ngày do cho tại ở mới sửa đổi hiện áp".split())
# Standards and technical regulations whose codes name one ("ISO 14001", "QCVN 40:2011"). Folded.
STANDARD_PREFIXES = ("iso", "iec", "iatf", "tcvn", "qcvn", "astm", "jis", "haccp")
# What people are counted as ("bao nhiêu người" is answered by "03 học viên"): a count of them may use
# another of these words. Folded.
PEOPLE_COUNTED = frozenset({"nguoi", "nhan vien", "cong nhan", "lao dong", "hoc vien", "thanh vien", "can bo", "nhan luc"})
# How questions ask, which documents rarely write, in the forms a question typed without diacritics means.
QUESTION_WORDS = ("bao_nhiêu", "bao_lâu", "mấy_ngày", "mấy_năm", "mấy_tháng", "mấy_người", "thế_nào", "khi_nào",
                  "ở_đâu", "là_gì", "ai", "gì", "nào", "thì", "muốn", "nếu", "không", "có", "phải", "tôi")
_CONTENT_WORD_RE = re.compile(r"\w+(?:[/,.-]\w+)*")


def question_words(text: str) -> list[str]:
    """The folded words of a text in order, numbers and document numbers (3164/qd-ubnd) kept whole."""
    return _CONTENT_WORD_RE.findall(fold(text))


def content_words(text: str) -> list[str]:
    """The words of a question that carry its topic: folded, without Vietnamese and English stopwords."""
    return [w for w in question_words(text) if w not in VI_STOPWORDS and w not in EN_STOPWORDS]

