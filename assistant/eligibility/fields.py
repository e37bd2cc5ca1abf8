"""What an enterprise may be asked: the profile fields, their kind, choices and questions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typing_extensions import TypedDict


@dataclass(frozen=True)
class Field:
    """One profile field. `kind` is 'choice', 'choices' (several), 'number', 'bool' or 'text'."""

    name: str
    kind: str
    question_vi: str
    question_en: str
    choices: tuple[str, ...] = ()
    example_vi: str = ""
    example_en: str = ""


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("legal_form", "choice", "Cơ sở của bạn là loại hình nào?", "What is your legal form?",
              ("enterprise", "cooperative", "household")),
        Field("industry_group", "choice", "Lĩnh vực hoạt động chính?", "Main field of activity?",
              ("industry_construction", "trade_services")),
        Field("employees", "number", "Số lao động tham gia bảo hiểm xã hội bình quân năm?",
              "Average number of employees with social insurance per year?", example_vi="50 người",
              example_en="50 employees"),
        Field("revenue", "number", "Tổng doanh thu năm trước (tỷ đồng)?", "Last year's revenue (billion VND)?",
              example_vi="15 tỷ", example_en="2.5 billion VND"),
        Field("capital", "number", "Tổng nguồn vốn (tỷ đồng)?", "Total capital (billion VND)?",
              example_vi="1,5 tỷ đồng", example_en="20 billion VND"),
        Field("sector", "choice", "Nhóm sản phẩm chính?", "Main product group?",
              ("textile_garment", "leather_footwear", "electronics", "automobile", "mechanical", "high_tech")),
        Field("district", "text", "Cơ sở đặt tại huyện, thị xã, thành phố nào?", "Which district is it located in?",
              example_vi="Kinh Môn", example_en="Kinh Mon"),
        Field("in_park_or_cluster", "bool", "Cơ sở có nằm trong khu hoặc cụm công nghiệp không?",
              "Is it inside an industrial park or cluster?"),
        Field("rural", "bool", "Cơ sở có ở khu vực nông thôn (huyện, thị xã, xã) không?",
              "Is it in a rural area (district, town or commune)?"),
        Field("years_operating", "number", "Cơ sở đã hoạt động bao nhiêu năm?", "How many years has it operated?",
              example_vi="3 năm", example_en="3 years"),
        Field("prior_support", "bool", "Đã nhận hỗ trợ từ ngân sách nhà nước cho cùng nội dung này chưa?",
              "Has it already received state support for the same item?"),
        Field("new_advanced_equipment", "bool", "Máy móc, thiết bị đề nghị hỗ trợ có mới và tiên tiến hơn thiết bị đang dùng không?",
              "Is the equipment to be supported new and more advanced than what you use now?"),
    )
}
# A derived field is worked out from its inputs; `rural` is asked itself only when the district leaves it open.
NUMBER_LIMIT = 1e9  # no profile number (employees, billion VND, years) is sensibly larger


def sane_number(value: float) -> bool:
    """Whether a profile number is from 0 to NUMBER_LIMIT (so never NaN, infinite or absurdly large)."""
    return 0 <= value <= NUMBER_LIMIT


DERIVED = {"size": ("industry_group", "employees", "revenue", "capital"), "rural": ("district",)}

LABELS: dict[str | bool, tuple[str, str]] = {
    "enterprise": ("Doanh nghiệp", "Enterprise"),
    "cooperative": ("Hợp tác xã", "Cooperative"),
    "household": ("Hộ kinh doanh", "Household business"),
    "industry_construction": ("Công nghiệp, xây dựng", "Industry and construction"),
    "trade_services": ("Thương mại, dịch vụ", "Trade and services"),
    "textile_garment": ("Dệt may", "Textile and garment"),
    "leather_footwear": ("Da giày", "Leather and footwear"),
    "electronics": ("Điện tử", "Electronics"),
    "automobile": ("Ô tô", "Automobile"),
    "mechanical": ("Cơ khí", "Mechanical engineering"),
    "high_tech": ("Công nghệ cao", "High technology"),
    "micro": ("siêu nhỏ", "micro"),
    "small": ("nhỏ", "small"),
    "medium": ("vừa", "medium"),
    "large": ("lớn", "large"),
    True: ("Có", "Yes"),
    False: ("Không", "No"),
}


def label(value, lang: str) -> str:
    """A value as the asker reads it."""
    pair = LABELS.get(value) if isinstance(value, (str, bool)) else None
    if pair is None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    return pair[0] if lang == "vi" else pair[1]


class Choice(TypedDict):
    """One choice of a question: its value and its label in the asker's language."""

    value: Any
    label: str


class Question(TypedDict):
    """A profile field asked as a question."""

    field: str
    kind: str  # number | bool | choice | text
    text: str
    choices: list[Choice]
    example: str


def question(name: str, lang: str) -> Question:
    """A field as a question: its text, kind, choices (value and label) and an example answer."""
    spec = FIELDS[name]
    choices = spec.choices or ((True, False) if spec.kind == "bool" else ())
    return {
        "field": name,
        "kind": spec.kind,
        "text": spec.question_vi if lang == "vi" else spec.question_en,
        "choices": [{"value": c, "label": label(c, lang)} for c in choices],
        "example": spec.example_vi if lang == "vi" else spec.example_en,
    }
