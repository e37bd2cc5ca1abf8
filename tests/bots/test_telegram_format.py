"""Telegram formatting: escaped HTML, under the length limit, cut at sentence ends, nothing lost."""
from __future__ import annotations

import html

from bots.telegram.formatting import answer_messages, pack


def test_long_text_is_cut_at_sentence_ends_and_escaped():
    text = " ".join(f"Câu số {i} có <b>thẻ</b> & ký hiệu." for i in range(400))
    messages = pack([(text, "")], limit=1000)
    assert len(messages) > 5 and all(len(m) <= 1000 for m in messages)
    assert all(m.endswith(".") for m in messages)
    assert " ".join(html.unescape(m) for m in messages) == text


def test_a_word_longer_than_a_message_is_cut_without_breaking_an_entity():
    messages = pack([("&" * 3000, "b")], limit=1000)
    assert all(len(m) <= 1000 and m.startswith("<b>") and m.endswith("</b>") for m in messages)
    inner = "".join(m.replace("<b>", "").replace("</b>", "").replace("\n", "") for m in messages)
    assert "<" not in inner and html.unescape(inner) == "&" * 3000


def test_citations_are_a_numbered_list_under_a_heading():
    citations = [{"n": 1, "doc_id": "qd", "doc_number": "3164/QĐ-UBND", "title": "T", "section": "Điều 1", "page": 2}]
    [message] = answer_messages("Theo Quyết định 3164/QĐ-UBND: <x>", citations, "en")
    assert message.endswith("<b>Sources:</b>\n1. 3164/QĐ-UBND — Điều 1, page 2")
    assert "&lt;x&gt;" in message


def test_the_answer_line_is_bold_and_first_with_the_evidence_under_it():
    citations = [{"n": 1, "doc_id": "cum", "doc_number": "", "title": "Cụm <CN>", "section": "1", "page": None}]
    answer = "\nCó 53 cụm công nghiệp & 2.685 ha. [1]\nTheo “Cụm <CN>”, 1:\n- Có 53 cụm công nghiệp. [1]"
    [message] = answer_messages(answer, citations, "vi")
    assert message.split("\n") == [
        "<b>Có 53 cụm công nghiệp &amp; 2.685 ha. [1]</b>", "Theo “Cụm &lt;CN&gt;”, 1:", "- Có 53 cụm công nghiệp. [1]",
        "", "<b>Nguồn:</b>", "1. Cụm &lt;CN&gt; — 1",
    ]
