"""User-facing sentences of answers, in Vietnamese and English."""
from __future__ import annotations

from ingest.legal import DOC_TYPES

TEXTS = {
    "vi": {
        "according_to": "Theo {label}{where}:",
        "page": "trang {page}",
        "refusal": "Các văn bản hiện có không đề cập đến nội dung này, nên tôi không thể trả lời chắc chắn.",
        "names_absent": "Các văn bản hiện có không nhắc đến {names}, nên tôi không thể trả lời câu hỏi này.",
        "names_unstated": "Các văn bản có nhắc đến {names} nhưng không nêu điều được hỏi về {names}, nên tôi không thể trả lời chắc chắn.",
        "cited_only": "Các văn bản hiện có chỉ viện dẫn {names}; văn bản đó không có trong bộ văn bản, nên tôi không thể trả lời câu hỏi này.",
        "nearest": "Văn bản gần nhất có thể tham khảo:",
        "contact": "Bạn có thể liên hệ {agency} để được hướng dẫn.",
        "inactive": "Lưu ý: {label} không còn hiệu lực{by}.",
        "superseded_by": " (đã được thay thế bởi {target})",
        "preamble": "phần mở đầu",
        "empty": "Câu hỏi đang trống. Hãy nhập câu hỏi của bạn.",
        "faq_intro": "",
        "period_note": "Lưu ý: thông tin này thuộc {covered}; các văn bản hiện có không nêu thông tin cho {asked}.",
        "asked_period": "thời gian bạn hỏi",
        "year": "năm {year}",
        "type_missing": "Các văn bản không nêu {what}; nội dung liên quan nhất:",
        "what_date": "ngày cụ thể",
        "part_unanswered": "Các văn bản chỉ trả lời được một phần câu hỏi; không nêu: {parts}. Phần trả lời được:",
        "what_value": "con số cụ thể",
        "superlative_unstated": "Các văn bản hiện có không nói trực tiếp cái nào {names}, và tôi không tự so sánh số liệu, nên tôi không thể trả lời chắc chắn.",
        "signer_missing": "Bản {names} trong bộ văn bản không ghi tên người ký, nên tôi không thể trả lời câu hỏi này.",
        "scanned": "Lưu ý: đoạn trích {refs} lấy từ bản scan, được đọc bằng nhận dạng chữ (OCR) nên có thể sai chính tả; hãy đối chiếu bản gốc.",
    },
    "en": {
        "according_to": "According to {label}{where}:",
        "page": "page {page}",
        "refusal": "The indexed documents do not cover this, so I cannot give a reliable answer.",
        "names_absent": "The indexed documents do not mention {names}, so I cannot answer this question.",
        "names_unstated": "The indexed documents mention {names} but do not state what is asked about it, so I cannot give a reliable answer.",
        "cited_only": "The indexed documents only cite {names}; that document itself is not indexed, so I cannot answer this question.",
        "nearest": "The nearest documents are:",
        "contact": "You may contact the {agency} for guidance.",
        "inactive": "Note: {label} is no longer in force{by}.",
        "superseded_by": " (superseded by {target})",
        "preamble": "preamble",
        "empty": "The question is empty. Please type your question.",
        "vi_source": "The Vietnamese text below is the authoritative version.",
        "vi_source_label": "Source text (Vietnamese, authoritative):",
        "faq_intro": "",
        "period_note": "Note: this information is for {covered}; the documents do not give it for {asked}.",
        "asked_period": "the period you asked about",
        "year": "{year}",
        "type_missing": "The documents do not give {what}; the most relevant passage says:",
        "what_date": "a specific date",
        "part_unanswered": "The documents answer only part of the question; they do not say: {parts}. What they do say:",
        "what_value": "a specific figure",
        "superlative_unstated": "The indexed documents do not say which one is {names}, and I do not compare figures myself, so I cannot give a reliable answer.",
        "signer_missing": "The indexed copy of {names} does not show who signed it, so I cannot answer this question.",
        "scanned": "Note: passage {refs} comes from a scanned copy read by OCR and may contain recognition errors; check the original.",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """A sentence in the asker's language."""
    table = TEXTS["en" if lang == "en" else "vi"]
    return table[key].format(**values)


def scanned_note(lang: str, numbers: list[int]) -> list[str]:
    """The line saying which quoted passages come from a scanned copy (none when no passage does)."""
    if not numbers:
        return []
    return [text(lang, "scanned", refs=", ".join(f"[{n}]" for n in sorted(set(numbers))))]


def document_label(lang: str, doc_type: str, doc_number: str, title: str) -> str:
    """How an answer names a document: `Quyết định 3164/QĐ-UBND`, `Decree 111/2015/NĐ-CP`, or its title."""
    names = DOC_TYPES.get(doc_type)
    if doc_number:
        name = names[1 if lang == "en" else 0] if names else ""
        return f"{name} {doc_number}".strip()
    short = title if len(title) <= 90 else title[:87].rsplit(" ", 1)[0] + "…"
    return f"“{short}”"


def section_label(lang: str, section: str, page: int | None) -> str:
    """`, Điều 1 › Khoản 3, trang 2` (empty parts left out)."""
    parts = [section] if section else []
    if page:
        parts.append(text(lang, "page", page=page))
    return (", " + ", ".join(parts)) if parts else ""
