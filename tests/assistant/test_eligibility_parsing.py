"""Free-text answers in Vietnamese and English read into profile values; the unreadable asked again."""
from __future__ import annotations

import pytest

from assistant.eligibility.parsing import UnreadableAnswer, parse_answer

DISTRICTS = {"Kinh Môn": True, "Tứ Kỳ": True, "Hải Dương": False}


@pytest.mark.parametrize(
    "field, text, value",
    [
        ("employees", "50 người", 50),
        ("employees", "khoảng 120 lao động", 120),
        ("employees", "1.200", 1200),
        ("employees", "about 35 staff", 35),
        ("revenue", "15 tỷ", 15),
        ("capital", "1,5 tỷ đồng", 1.5),
        ("revenue", "2.5 billion VND", 2.5),
        ("revenue", "500 triệu", 0.5),
        ("revenue", "15.000.000.000 đồng", 15),
        ("capital", "20", 20),
        ("years_operating", "3 năm", 3),
        ("rural", "Có", True),
        ("rural", "yes", True),
        ("rural", "Chắc chắn có", True),
        ("prior_support", "chưa", False),
        ("prior_support", "No", False),
        ("legal_form", "Công ty TNHH", "enterprise"),
        ("legal_form", "Hợp tác xã", "cooperative"),
        ("legal_form", "hộ kinh doanh cá thể", "household"),
        ("sector", "May mặc xuất khẩu", "textile_garment"),
        ("sector", "co khi che tao", "mechanical"),
        ("sector", "electronic components", "electronics"),
        ("industry_group", "thương mại, dịch vụ", "trade_services"),
        ("district", "kinh mon", "Kinh Môn"),
        ("district", "Huyện Tứ Kỳ", "Tứ Kỳ"),
        ("district", "TP Hải Dương", "Hải Dương"),
    ],
)
def test_answers_are_read(field, text, value):
    assert parse_answer(field, text, "vi", DISTRICTS) == value


@pytest.mark.parametrize(
    "field, text, lang, hint",
    [
        ("employees", "nhiều lắm", "vi", "Ví dụ: «50 người»"),
        ("revenue", "a lot", "en", "For example: “2.5 billion VND”"),
        ("rural", "có lẽ", "vi", "chọn một"),
        ("rural", "chắc là có", "vi", "chọn một"),
        ("prior_support", "not sure", "en", "pick one"),
        ("district", "Hà Nội", "vi", "Các câu trả lời hợp lệ: Hải Dương, Kinh Môn, Tứ Kỳ"),
        ("sector", "bakery", "en", "pick one"),
        ("employees", "   ", "en", "For example"),
    ],
)
def test_unreadable_answers_are_asked_again_with_an_example_or_the_valid_ones(field, text, lang, hint):
    with pytest.raises(UnreadableAnswer, match=hint):
        parse_answer(field, text, lang, DISTRICTS)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Quyết định 3164 có mấy nhóm giải pháp?", True),
        ("Tỉnh có bao nhiêu khu công nghiệp", True),
        ("Doanh nghiệp thuộc loại nào được hỗ trợ", True),
        ("What does Decision 3164 support", True),
        ("Is the Kaizen program open?", True),
        ("khoảng 120 lao động", False),
        ("50 người?", False),
        ("Kinh Môn", False),
        ("1,5 tỷ đồng", False),
        ("máy móc mới hơn", False),
        ("Chưa nhận hỗ trợ nào", False),
        ("about 120 employees", False),
    ],
)
def test_a_message_typed_during_the_check_is_told_apart_from_an_answer(text, question):
    from assistant.eligibility.intent import reads_as_question

    assert reads_as_question(text) is question
