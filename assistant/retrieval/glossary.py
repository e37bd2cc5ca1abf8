"""The English–Vietnamese glossary (corpus/glossary.tsv): Vietnamese terms for English questions, and back."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_WORD_RE = re.compile(r"[\w'-]+")


@dataclass
class Glossary:
    """Phrase tables in both directions, matched longest-first."""

    en_to_vi: dict[str, list[str]] = field(default_factory=dict)
    vi_to_en: dict[str, list[str]] = field(default_factory=dict)
    longest: int = 1

    def vietnamese_terms(self, english: str) -> list[str]:
        """Vietnamese renderings of the glossary phrases found in an English text."""
        return _translate(english.lower(), self.en_to_vi, self.longest)

    def segments(self, english: str) -> list[tuple[str, list[str]]]:
        """The English text cut into glossary phrases (with their Vietnamese renderings) and leftover words
        (with none), longest phrases first."""
        words = _WORD_RE.findall(english.lower())
        out: list[tuple[str, list[str]]] = []
        position = 0
        while position < len(words):
            for size in range(min(self.longest, len(words) - position), 0, -1):
                phrase = " ".join(words[position : position + size])
                if phrase in self.en_to_vi:
                    out.append((phrase, self.en_to_vi[phrase]))
                    position += size
                    break
            else:
                out.append((words[position], []))
                position += 1
        return out

    def english_terms(self, vietnamese: str) -> list[str]:
        """English renderings of the glossary phrases found in a Vietnamese text."""
        return _translate(vietnamese.lower(), self.vi_to_en, self.longest)


def _translate(text: str, table: dict[str, list[str]], longest: int) -> list[str]:
    words = _WORD_RE.findall(text)
    out: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            phrase = " ".join(words[position : position + size])
            if phrase in table:
                out.extend(table[phrase])
                position += size
                break
        else:
            position += 1
    return out


def load_glossary(path: Path) -> Glossary:
    """Read a TSV of `english<TAB>vietnamese|alternative` lines ('#' starts a comment)."""
    glossary = Glossary()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{path}:{number}: expected 'english<TAB>vietnamese'")
        english = " ".join(_WORD_RE.findall(parts[0].lower()))
        renderings = [v.strip().lower() for v in parts[1].split("|") if v.strip()]
        glossary.en_to_vi.setdefault(english, []).extend(renderings)
        for vietnamese in renderings:
            key = " ".join(_WORD_RE.findall(vietnamese))
            glossary.vi_to_en.setdefault(key, []).append(english)
            glossary.longest = max(glossary.longest, len(key.split()))
        glossary.longest = max(glossary.longest, len(english.split()))
    return glossary
