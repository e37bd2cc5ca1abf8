"""One answer to a question that asks two things, from the answers to each of its parts: both facts in
the first line when the documents state both; otherwise a plain "only part of it is answered"."""
from __future__ import annotations

from dataclasses import replace

from assistant.answering.models import CITATION_MARK_RE, Answer, Citation
from assistant.answering.texts import text


def _renumbered(answer: Answer, citations: list[Citation]) -> str:
    """`answer`'s text with its citation marks renumbered into `citations`, to which its citations not
    already there (the same passage: document, section and chunk) are added; a passage already there that
    this answer quotes differently gains the quote."""
    mapping: dict[int, int] = {}
    for citation in answer.citations:
        key = (citation.doc_id, citation.section, citation.chunk_id)
        same = next((c for c in citations if (c.doc_id, c.section, c.chunk_id) == key), None)
        if same is None:
            same = replace(citation, n=len(citations) + 1)
            citations.append(same)
        elif citation.quote not in same.quote:
            same.quote += " … " + citation.quote
        mapping[citation.n] = same.n
    return CITATION_MARK_RE.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", answer.answer)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Evidence lines grouped under the line that introduces them ("Theo …:" then its "- …" quotes); a
    note stands alone."""
    blocks: list[list[str]] = []
    for line in lines:
        if line.startswith("- ") and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def combine_parts(lang: str, parts: list[str], answers: list[Answer]) -> Answer:
    """The answer to a question asking `parts` (its texts) given `answers` to each. Answered in full only
    when every part is; a part the documents do not answer is named in the first line, and the answer
    counts as a refusal (the asker asked both)."""
    answered = [a for a in answers if a.grounded]
    if not answered:
        return answers[0]
    citations: list[Citation] = []
    firsts: list[str] = []
    rest: list[list[str]] = []
    for answer in answered:
        lines = [line for line in _renumbered(answer, citations).splitlines() if line.strip()]
        if lines[0] not in firsts:
            firsts.append(lines[0])
        for block in _blocks(lines[1:]):
            if block not in rest:  # a quote is shown again only under another heading
                rest.append(block)
    body = [line for block in rest for line in block]
    confidence = min(a.confidence for a in answers)
    if len(answered) == len(answers):
        return Answer("\n".join([" ".join(firsts), *body]), lang, True, "documents", citations, confidence=confidence)
    missing = "; ".join(f"“{part.rstrip('?')}”" for part, a in zip(parts, answers) if not a.grounded)
    lines = [text(lang, "part_unanswered", parts=missing), *firsts, *body]
    return Answer("\n".join(lines), lang, False, "documents", citations, confidence=confidence)
