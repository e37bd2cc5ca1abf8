"""One answer to a question that asks two things, from the answers to each of its parts: both facts in
the first line when the documents state both; otherwise a plain "only part of it is answered"."""
from __future__ import annotations

import re
from dataclasses import replace

from assistant.answering.models import Answer, Citation
from assistant.answering.texts import text

_MARK_RE = re.compile(r"\[(\d+)\]")


def _renumbered(answer: Answer, citations: list[Citation]) -> str:
    """`answer`'s text with its citation marks renumbered into `citations`, to which its citations not
    already there (the same document and section) are added."""
    mapping: dict[int, int] = {}
    for citation in answer.citations:
        same = next((c for c in citations if (c.doc_id, c.section, c.chunk_id) == (citation.doc_id, citation.section, citation.chunk_id)), None)
        if same is None:
            same = replace(citation, n=len(citations) + 1)
            citations.append(same)
        mapping[citation.n] = same.n
    return _MARK_RE.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", answer.answer)


def _lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip()]


def combine_parts(lang: str, parts: list[str], answers: list[Answer]) -> Answer:
    """The answer to a question asking `parts` (its texts) given `answers` to each. Answered in full only
    when every part is; a part the documents do not answer is named in the first line, and the answer
    counts as a refusal (the asker asked both)."""
    answered = [a for a in answers if a.grounded]
    if not answered:
        return answers[0]
    citations: list[Citation] = []
    bodies = [_lines(_renumbered(a, citations)) for a in answered]
    firsts: list[str] = []
    rest: list[str] = []
    for lines in bodies:
        if lines[0] not in firsts:
            firsts.append(lines[0])
        rest.extend(line for line in lines[1:] if line not in rest)
    confidence = min(a.confidence for a in answers)
    if len(answered) == len(answers):
        return Answer("\n".join([" ".join(firsts), *rest]), lang, True, "documents", citations, confidence=confidence)
    missing = "; ".join(f"“{part.rstrip('?')}”" for part, a in zip(parts, answers) if not a.grounded)
    lines = [text(lang, "part_unanswered", parts=missing), *firsts, *rest]
    return Answer("\n".join(lines), lang, False, "documents", citations, confidence=confidence)
