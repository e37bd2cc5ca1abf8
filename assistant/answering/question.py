"""What a question asks for: the expected answer type and its focus, read from the question's words
(Vietnamese with or without diacritics, or English)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.retrieval.abbreviations import ABBREVIATIONS, expand_abbreviations
from ingest.vietnamese import EN_STOPWORDS, VI_STOPWORDS, fold

# Answer types, most specific first: the first whose pattern matches the folded question wins.
ANSWER_TYPES = (
    "signer", "date_expiry", "date_in_force", "date_issued", "deadline", "date", "duration", "percentage", "area", "amount", "count",
    "subject", "reference", "definition", "authority", "place", "procedure", "list", "yesno", "other",
)
_TYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern))
    for kind, pattern in (
        # a question opening with "who" asks for an authority whatever it is about ("Ai quyết định số lượng …")
        ("authority", r"^(?:ai|co quan nao)\b(?! duoc)|^who\b(?! (?:can|may|is eligible|is .* for\??$))"),
        # "how long" asks a length of time even beside "hiệu lực" ("Sau khi … có hiệu lực, … có bao lâu để …")
        ("duration", r"bao lau|how long|how often|hieu luc (?:trong )?(?:may|bao nhieu) (?:ngay|thang|nam)"),
        ("date_expiry", r"het hieu luc|cease to have effect|expire|no longer in force"),
        ("date_in_force", r"\bhieu luc\b|take effect|takes effect|took effect|in force|into (?:force|effect)|effective"),
        ("date_issued", r"ban hanh ngay|ngay ban hanh|ban hanh khi nao|ky ngay|ky khi nao|(?:khi|luc) nao (?:duoc )?ky\b|bao gio ky\b|ky o dau|ky nam nao|when was .* (?:issued|signed)|issued on|date of issue|where and when .* signed|signed"),
        ("deadline", r"\bhan nop\b|\bthoi han nop\b|han chot|truoc ngay nao|cham nhat|deadline|by what date|by when|due date"),
        # not the "when" of a condition ("… include in its dossier when applying", "when a licence expires, …")
        ("date", r"ngay nao|khi nao|(?<!viet )\bnam nao\b|\bwhen\b(?! (?:a|an|the|it|its|they|their|[a-z]+ing)\b)|what date"),
        ("duration", r"bao lau|may ngay|may thang|may nam|keo dai|bao nhieu ngay|bao nhieu thang|bao nhieu nam|how long|how many (?:working |calendar )?(?:days|months|years)|valid for|how much (?:[\w-]+ ){0,2}(?:notice|time|validity)(?![\w-])"),
        ("percentage", r"\bty le\b|phan tram|(?:bao nhieu|\bmay) ?%|\bpercent|\brate\b|\bshare\b|thue suat"),
        ("area", r"dien tich|how much (?!is\b|does\b|do\b|money\b)(?:[\w-]+ ){0,3}land\b(?!\s*(?:rent|rental|lease|price|cost|fee|tax|clearance))|how much of .*overlap|chong lan bao nhieu|bao nhieu ha\b|quy mo bao nhieu|\barea\b|hectare|how large|\bquy mo\b"),
        ("amount", r"\bmuc ho tro\b|bao nhieu (?:ty|trieu|nghin|dong|usd)\b|\bmuc (?:\w+ ){0,2}bao nhieu|\bmuc nao\b|bao nhieu tien|\bchi phi\b|\bkinh phi\b|\bhoc phi\b|doanh thu|\bmuc phat\b|\ble phi\b|\bphi\b.*bao nhieu|\bgia\b.*bao nhieu|lai suat|\bluong\b|wage|how much|\bcost\b|\bfee|\bprice\b|\bfine\b|maximum support|support level|\bvon\b.*bao nhieu"),
        # "công văn số mấy", "số hiệu văn bản": a document's number, not a count
        ("reference", r"\b(?:cong van|van ban|quyet dinh|thong tu|nghi dinh|thong bao|ke hoach|nghi quyet|to trinh|bao cao) so (?:may|bao nhieu)\b|\bso (?:va )?(?:hieu|ky hieu) (?:van ban|cong van|quyet dinh)"),
        ("count", r"bao nhieu|\bmay (?!moc|cong nghiep|mac|xuat khau|thiet bi)\w+|how many|so luong|number of"),
        ("subject", r"quy dinh (?:ve )?(?:nhung )?(?:noi dung|van de|viec) gi|dieu chinh (?:nhung )?(?:noi dung|van de|viec|linh vuc) gi|pham vi dieu chinh|quy dinh ve gi|ve van de gi|noi dung chinh cua|what does .* (?:regulate|govern|cover)|what is .* about"),
        ("reference", r"(?:thong tu|nghi dinh|quyet dinh|\bluat|van ban|nghi quyet|de an) nao|which (?:law|decree|circular|decision|regulation|scheme)|what (?:law|decree|scheme)|phe duyet de an gi"),
        ("definition", r"\bla gi\b|duoc dinh nghia|dinh nghia|khai niem|\bhieu la\b|(?<!lam )\bthe nao (?:thi )?(?:duoc )?(?:goi |coi |xem )?la\b|\bduoc hieu (?:nhu )?(?:the nao|ra sao)|what (?:is|does) .*(?:mean|definition)|\bdefine|what is (?:a|an|the)? ?\w+ industry\??$"),
        ("other", r"danh cho ai|danh cho (?:nhung )?doi tuong nao|who is .* (?:for|aimed at)\??$|who (?:can|may) (?:join|attend|take part)"),
        ("authority", r"co quan nao|\bai la\b|^ai\b|\bai\b.*\?$|\bwho\b|which (?:agency|body|authority|ministry|department|office|company|enterprise|organi[sz]ation|unit|investor|contractor)|chu dau tu|\bchu tri\b|thuong truc"),
        ("place", r"o dau|\bwhere\b|dia diem|\bnoi nop\b|\b(?:xa|phuong|huyen|thi xa|thi tran|cua khau) nao\b|\b(?:o|thuoc|tai) tinh nao\b|which (?:commune|ward|district|province|border gate)\b"),
        ("procedure", r"thu tuc|\bho so\b|quy trinh|lam the nao|\bcach\b|what documents|\bprocedure|how (?:do|can|to) |apply"),
        ("list", r"nhung gi|nhung (?:\w+ ){1,5}nao|cac (?:\w+ ){1,4}nao|gom nhung|bao gom|what are|which (?:sectors|industries|acts|groups)|what (?:acts|industries|sectors)|noi dung gi|ho tro gi|nhiem vu gi|yeu cau gi|what (?:does|do|will) .* (?:support|include)\??$"),
        ("yesno", r"\bco duoc\b.*\bkhong\b|\bco\b.*\bkhong\??$|^(?:does|do|is|are|can|may) "),
    )
]
# Words that name the parts of a document otherwise never quoted (legal basis, addressees, signature).
_ASKS_BOILERPLATE_RE = re.compile(r"\bcan cu\b|kinh gui|noi nhan|\bgui ai\b|\bnguoi ky\b|\bai ky\b|legal basis|pursuant|addressed to|recipients|who signed")
_YEAR_RE = re.compile(r"\b(19\d\d|20\d\d)\b")
_NEXT_YEAR_RE = re.compile(r"nam sau|nam toi|next year|nam nay|this year|hien nay|hom nay|today|currently")
_STOP = VI_STOPWORDS | {"may", "gom"}  # "mấy" (how many) and "gồm" (consists of) ask, they name no topic


@dataclass
class Intent:
    """The expected answer type, the focus terms and the period a question asks about."""

    answer_type: str
    focus: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    asks_boilerplate: bool = False
    relative_time: bool = False  # "this year", "next year", "today": a period the documents may not cover
    counted: str = ""  # what a count question counts, folded: "cum cong nghiep" for "có bao nhiêu cụm công nghiệp"
    unit: str = ""  # the unit a duration question asks in: "day" for "bao nhiêu ngày", "how many days' notice"
    measured: str = ""  # what an amount or a rate is of, folded: "tien thue" for "giảm bao nhiêu phần trăm tiền thuê đất"
    qualifier: list[str] = field(default_factory=list)  # the folded words after what a count question counts:
    # "dang", "trien", "khai" for "bao nhiêu dự án đang triển khai" (a report counts projects several ways)
    dossier: bool = False  # what an application file consists of: "hồ sơ gồm những gì", "what documents are needed"
    superlative: str = ""  # which of several is the largest, highest, …: the folded word the answer must state


# Words that say how a question asks, not what about: the law never writes them next to the answer
# ("Hóa chất được định nghĩa như thế nào" is answered by "Hóa chất là …"). Folded.
_ASKING_PHRASES = (
    ("duoc", "dinh", "nghia"), ("dinh", "nghia"), ("khai", "niem"), ("nhu", "the", "nao"), ("duoc", "hieu"),
    ("hieu", "la"), ("ap", "dung", "cho"),
)
# Phrases a question uses for what the documents name otherwise: who or what a text applies to is its
# "phạm vi" (scope) as much as its "đối tượng" (subjects), and whom it is "dành cho" (meant for) its
# "đối tượng". Folded.
# Askers also write as people talk ("công ty", "bằng lái", "báo trước") where the law writes "doanh
# nghiệp", "giấy phép lái xe", "thông báo", and abbreviate what it spells out ("KCN", "UBND").
EQUIVALENT_PHRASES = {
    "doi tuong": ("pham vi",), "pham vi": ("doi tuong",), "danh cho": ("doi tuong",),
    "cong ty": ("doanh nghiep",), "bang lai": ("giay phep lai xe",), "tai xe": ("lai xe",),
    "bao truoc": ("thong bao",), "giay to": ("ho so",), "nop don": ("nop ho so",),
    "het han": ("het hieu luc", "het thoi han"), "it nhat": ("toi thieu",), "toi thieu": ("it nhat",),
    "toi da": ("khong qua", "khong vuot qua"), "bi phat": ("xu phat",), "nha may": ("co so san xuat",),
    "uy ban": ("ubnd",), "dien tich": ("quy mo",),
    **{short: (fold(full).lower(),) for short, full in ABBREVIATIONS.items()},
}


def asking_positions(words: list[str]) -> set[int]:
    """The positions of the folded words that belong to a phrase saying how the question asks."""
    found: set[int] = set()
    for start in range(len(words)):
        for phrase in _ASKING_PHRASES:
            if tuple(words[start : start + len(phrase)]) == phrase:
                found.update(range(start, start + len(phrase)))
    return found


_COUNT_ASKED = r"(?:bao nhieu|\bmay|so luong)"
_COUNTED_RE = re.compile(rf"{_COUNT_ASKED}\s+((?:\w+ ?){{1,3}})")
# words that say which of a thing's counts is asked, never part of the thing ("bao nhiêu dự án chưa …")
NEGATIONS = frozenset({"chua", "khong"})
_ASPECTS = NEGATIONS | {"dang", "duoc", "bi"}


# Units of measure a count question may ask in ("bao nhiêu mét", "how many metres"), folded, each with how a
# clause writes it after its number ("50 m", "20 tấn")
MEASURE_UNITS = {"met": r"(?:met|m)", "km": r"(?:km|ki lo met)", "tan": r"tan", "kg": r"(?:kg|ki lo gam)", "lit": r"(?:lit|l)"}
_EN_MEASURE_RE = re.compile(r"\bhow many (metre|meter|kilometre|kilometer|km|tonne|ton|kilogram|kg|litre|liter)s?\b")
_EN_MEASURES = {"metre": "met", "meter": "met", "kilometre": "km", "kilometer": "km", "km": "km", "tonne": "tan", "ton": "tan",
                "kilogram": "kg", "kg": "kg", "litre": "lit", "liter": "lit"}
# "cụm nào có tổng mức đầu tư lớn nhất", "which park is the largest": a comparison the documents must state, folded
# ("nào có nhiều dự án nhất": the adjective and "nhất" may stand apart); not "what is the highest level", which a
# clause states
_SUPERLATIVE_RE = re.compile(r"\b(?:nao|which)\b.*?\b((?:lon|nho|cao|thap|nhieu)\b(?: \w+){0,6}? (?<!duy )(?<!thong )nhat(?! dinh)|largest|smallest|highest|lowest|biggest)\b")
# how a Vietnamese passage states an English superlative, folded
_SUPERLATIVES_VI = {"largest": "lon nhat", "biggest": "lon nhat", "smallest": "nho nhat", "highest": "cao nhat", "lowest": "thap nhat"}


def states_superlative(superlative: str, folded_passage: str) -> bool:
    """Whether a folded passage states the comparison a question asks (`Intent.superlative`): the English
    word or its Vietnamese form, or the question's adjective followed, a few words on, by "nhất"."""
    words = superlative.split()
    forms = [superlative, _SUPERLATIVES_VI.get(superlative, superlative)]
    if len(words) > 2:
        forms.append(rf"{words[0]}\b(?: \w+){{0,6}}? nhat")
    return any(re.search(rf"\b{form}\b", folded_passage) for form in forms)


QUALIFIER_WORDS = 6  # how many words next to a count say which of the counts of a thing it is


# "bao nhiêu dự án, cơ sở sản xuất đang dừng hoạt động": a second noun joined to the counted one, up to the
# aspect word that opens what is said of both (folded)
_COORDINATED_NOUN_RE = re.compile(r"^\s*(?:,|va\b|hoac\b)[^?]*?(?=\b(?:dang|da|con|chua|duoc|bi|se)\b)")


def count_qualifier(folded: str, counted: str) -> list[str]:
    """The words after the counted thing in a folded count question ("… bao nhiêu dự án còn đang triển khai
    đầu tư" → con, dang, trien, khai, dau, tu): which of a report's counts of that thing is asked. A noun
    joined to the counted one ("dự án, cơ sở sản xuất đang dừng …") is part of the thing, not its qualifier."""
    match = re.search(rf"{_COUNT_ASKED}\s+{re.escape(counted)}\b(.*)", folded) if counted else None
    return re.findall(r"\w+", _COORDINATED_NOUN_RE.sub("", match.group(1)))[:QUALIFIER_WORDS] if match else []


def counted_noun(folded: str) -> str:
    """The (up to three) words after "bao nhiêu" / "mấy" / "số lượng" in a folded Vietnamese question, up
    to the first function word: what a count question counts ('' when none)."""
    match = _COUNTED_RE.search(folded)
    if not match:
        return ""
    words: list[str] = []
    for word in match.group(1).split():
        if word in _STOP or word in _ASPECTS or word.isdigit():
            break
        words.append(word)
    return " ".join(words)


# The unit a duration question names ("mấy ngày", "bao nhiêu tháng", "how many days", "days' notice"), folded.
_DURATION_UNIT_RE = re.compile(r"\b(?:bao nhieu|may) (ngay|thang|nam|gio|tuan)\b|\bhow many (?:working |calendar )?(day|month|year|hour|week)s?\b"
                               r"|\b(day|month|year|week)s?'? notice\b")
_UNITS = {"ngay": "day", "thang": "month", "nam": "year", "gio": "hour", "tuan": "week"}


def duration_unit(folded: str) -> str:
    """'day', 'month', 'year', 'hour' or 'week' when a question asks for a length of time in that unit; ''."""
    match = _DURATION_UNIT_RE.search(folded)
    if not match:
        return ""
    unit = next(g for g in match.groups() if g)
    return _UNITS.get(unit, unit)


# What an amount or a rate is of: the words after "bao nhiêu phần trăm / tiền" ("… giảm bao nhiêu phần trăm
# tiền thuê đất"), else a measure the question opens with ("tổng kinh phí …", "học phí …"; not a condition later
# in it: "dự án tổng vốn không quá 300 tỷ thì … bao nhiêu phần trăm"), folded.
_MEASURED_AFTER_RE = re.compile(r"\bbao nhieu (?:phan tram|%) (\w+ \w+)")
_MEASURED_HEAD_RE = re.compile(r"^(?:(?:cho (?:toi |minh |em )?hoi|xin hoi|toi muon hoi|minh muon hoi),? )?"
                               r"(tong (?!so\b|cong\b)\w+|kinh phi|chi phi|le phi|hoc phi|doanh thu|tien thue|gia thue|muc phat)\b")


def measured_noun(folded: str) -> str:
    """The two words naming what a Vietnamese amount or rate question measures ('' when it names none)."""
    after = _MEASURED_AFTER_RE.search(folded)
    if after and after.group(1).split()[0] not in _STOP:
        return after.group(1)
    head = _MEASURED_HEAD_RE.search(folded)
    return head.group(1) if head else ""


# "Ai ký Nghị định 178?", "người ký báo cáo là ai", "Who signed the agreement?": who signed a document (not who
# signs a contract or certifies a dossier, which a clause says), folded
_SIGNER_RE = re.compile(r"(?:\bai|\b(?:nguoi|lanh dao|vi|ong|ba|dong chi|(?:pho )?(?:thu tuong|bo truong|thu truong|chu tich|giam doc"
                        r"|cuc truong|truong ban))\s+nao)\s+(?:da\s+)?ky\b(?!\s*(?:ket|nhan|xac|hop))|\bnguoi ky\b|\bky boi ai\b"
                        r"|\bwho (?:signed|has signed)\b|\bwhich (?:\w+ ){0,2}signed\b|\bsigned by whom\b|\bsignator(?:y|ies)\b")
_SIGNED_DOCUMENT_RE = re.compile(r"\b(?:nghi dinh|thong tu|quyet dinh|luat|hiep dinh|bao cao|cong van|van ban|thong bao|ke hoach"
                                 r"|nghi quyet|chi thi|to trinh|de an|ban hanh|decree|circular|decision|law|agreement|report"
                                 r"|letter|document|notice|plan|resolution|directive|scheme|qd|nd|tt|cv|tb|kh|nq)\b|\b\d+\s*/\s*(?:\d{4}\s*/\s*)?[a-z]")
# "hồ sơ … gồm những gì", "cần chuẩn bị những giấy tờ gì", "What documents do I need …", "what must … include in its
# dossier": what an application file consists of, folded
_DOSSIER_RE = re.compile(r"\bho so\b.*\b(?:gom|bao gom|nhung gi|can gi|nhung giay to|giay to gi)\b|\b(?:nhung|cac) giay to\b|\bgiay to gi\b"
                         r"|\bwhat documents\b|\bwhich documents\b|\bdossier\b.*\b(?:include|consist|contain)|\b(?:include|consist|contain).*\bdossier\b")
# what parties or applicants sign, as a clause says (not who signed the document), folded
_CONTRACT_RE = re.compile(r"\bhop dong\b|\bcontract\b|\bbien ban\b|\bdon\b|\bto khai\b|\bgiay de nghi\b|\bapplication\b|\bform\b")


def asks_signer(question: str, about: str = "") -> bool:
    """Whether a question (or a part of one, `about` being the whole question) asks who signed a document."""
    folded, whole = " ".join(fold(question).split()), " ".join(fold(about or question).split())
    return bool(_SIGNER_RE.search(folded) and _SIGNED_DOCUMENT_RE.search(whole) and not _CONTRACT_RE.search(whole))


def answer_type(question: str) -> str:
    """The kind of fact a question asks for (see ANSWER_TYPES)."""
    folded = " ".join(fold(question).split())
    if asks_signer(question):
        return "signer"
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(folded):
            return kind
    return "other"


def analyse_intent(question: str) -> Intent:
    """Answer type, focus (content words), years named and whether boilerplate is what is asked (with
    abbreviations read spelled out: "bao nhiêu KCN" counts "khu công nghiệp")."""
    question = expand_abbreviations(question)
    folded = " ".join(fold(question).split())
    words = re.findall(r"\w+(?:[/.-]\w+)*", folded)
    focus = [w for w in words if w not in _STOP and w not in EN_STOPWORDS and len(w) > 1]
    kind = answer_type(question)
    return Intent(
        answer_type=kind,
        focus=focus,
        years=[int(y) for y in _YEAR_RE.findall(folded)],
        asks_boilerplate=bool(_ASKS_BOILERPLATE_RE.search(folded)),
        relative_time=bool(_NEXT_YEAR_RE.search(folded)),
        counted=(counted := (counted_noun(folded) or _english_measure(folded)) if kind == "count" else ""),
        qualifier=count_qualifier(folded, counted),
        unit=duration_unit(folded) if kind == "duration" else "",
        measured=measured_noun(folded) if kind in ("amount", "percentage") else "",
        dossier=bool(_DOSSIER_RE.search(folded)),
        superlative=superlative.group(1) if (superlative := _SUPERLATIVE_RE.search(folded)) else "",
    )


def _english_measure(folded: str) -> str:
    """The unit of measure an English count question asks in, as MEASURE_UNITS names it ('' when none)."""
    match = _EN_MEASURE_RE.search(folded)
    return _EN_MEASURES[match.group(1)] if match else ""


# Where a question that asks two things joins them: "…ở cơ quan nào, bao lâu thì có?", "… ngày nào và có
# hiệu lực từ khi nào?", "Which agency …, and how long …?"
_PART_JOIN_RE = re.compile(r"\s*[,;]\s*(?:(?:và|va|and)\s+)?|\s+(?:và|va|and)\s+", re.I)


MAX_PARTS_LENGTH = 400  # a longer text is not read as a two-part question
# the first part's asking word comes last or nearly ("… ở cơ quan nào", "… được cử mấy học viên")
_ASKS_LAST_RE = re.compile(r"\b(?:nao|gi|khong|chua|bao nhieu|dau|ai|bao lau|may(?! moc))(?: \w+){0,2}$")
_ASKS_FIRST_RE = re.compile(r"(?:(?:to|for|in|by|from|at|with|trong|tu|den|voi|cho) )?"
                            r"(?:bao lau|bao nhieu|may|ai|khi nao|o dau|tai dau|how|what|which|when|where|who|why|is|are|does|do|can)\b")


def question_parts(question: str) -> list[tuple[str, str]]:
    """The two parts of a question that asks two different kinds of fact, each as (text, answer type):
    "Mở tiệm bán lẻ thuốc lá thì xin giấy phép ở cơ quan nào, bao lâu thì có?" → the authority part and
    the duration part. [] for a question that asks one thing, or two of the same kind."""
    text = question.strip().rstrip("?").strip()
    if len(text) > MAX_PARTS_LENGTH:
        return []
    for join in _PART_JOIN_RE.finditer(text):
        first, second = text[: join.start()].strip(), text[join.end() :].strip()
        if not first or not second:
            continue
        if not (_ASKS_LAST_RE.search(fold(first)) or _ASKS_FIRST_RE.match(fold(second))):
            # the first part ends with its asking word or the second begins with one; otherwise the join is
            # inside what is asked about ("cụm công nghiệp do xã, phường quản lý", "doanh nghiệp nhỏ và vừa")
            continue
        # "… ký ngày nào và ai là người ký?": the second part asks the signer of the document the first names
        kinds = answer_type(first + "?"), "signer" if asks_signer(second, text) else answer_type(second + "?")
        if "other" not in kinds and kinds[0] != kinds[1]:
            return [(first + "?", kinds[0]), (second + "?", kinds[1])]
    return []

