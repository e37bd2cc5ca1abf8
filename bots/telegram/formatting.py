"""Answers as Telegram messages: HTML with everything escaped, split under Telegram's length limit."""
from __future__ import annotations

import html
import re

from bots.telegram.texts import say

MESSAGE_LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")


def _pieces(text: str, limit: int) -> list[str]:
    """`text` cut at sentence ends (then spaces, then anywhere) so each piece escapes to ≤ `limit`."""
    if len(html.escape(text, quote=False)) <= limit:
        return [text]
    for splitter in (_SENTENCE_END, re.compile(r"\s+")):
        parts = [p for p in splitter.split(text) if p]
        if len(parts) > 1:
            out: list[str] = []
            current = ""
            for part in parts:
                candidate = f"{current} {part}" if current else part
                if len(html.escape(candidate, quote=False)) <= limit:
                    current = candidate
                    continue
                if current:
                    out.append(current)
                current = part
            if current:
                out.append(current)
            return [piece for part in out for piece in _pieces(part, limit)]
    cut = max(1, limit // 6)  # an escaped character takes at most 6
    return [text[i : i + cut] for i in range(0, len(text), cut)]


def pack(lines: list[tuple[str, str]], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Messages of at most `limit` characters from (plain text, tag) lines; each line is escaped and
    wrapped in its tag ("b", "i" or ""), and a line too long for one message is split at sentence ends."""
    messages: list[str] = []
    current = ""
    for text, tag in lines:
        overhead = len(f"<{tag}></{tag}>") if tag else 0
        for piece in _pieces(text, limit - overhead):
            escaped = html.escape(piece, quote=False)
            line = f"<{tag}>{escaped}</{tag}>" if tag and escaped else escaped
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = line
    if current.strip():
        messages.append(current)
    return messages


def citation_line(citation: dict, lang: str) -> str:
    """`n. number/title — section, page`: one citation of the numbered list."""
    label = citation.get("doc_number") or citation.get("title") or citation.get("doc_id", "")
    where = ", ".join(part for part in (citation.get("section") or "",) if part)
    if citation.get("page"):
        where = ", ".join(filter(None, [where, say(lang, "page", page=citation["page"])]))
    return f"{citation['n']}. {label}" + (f" — {where}" if where else "")


def answer_messages(answer_text: str, citations: list[dict], lang: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The answer and its numbered citations as one or more HTML messages: the answer line (its first
    line, the fact) in bold, the evidence under it, then the sources."""
    texts = answer_text.strip("\n").split("\n")
    lines = [(line, "b" if n == 0 else "") for n, line in enumerate(texts)]
    if citations:
        lines += [("", ""), (say(lang, "sources"), "b")]
        lines += [(citation_line(c, lang), "") for c in citations]
    return pack(lines, limit)


def source_messages(citation: dict, lang: str) -> list[str]:
    """The passage a citation quotes, with where it comes from."""
    header = citation.get("title") or citation.get("doc_id", "")
    lines = [(f"[{citation['n']}] {header}", "b"), (citation_line(citation, lang), "i"), ("", ""),
             (citation.get("quote") or "", "")]
    return pack(lines)
