"""The English–Vietnamese glossary (corpus/glossary.tsv): Vietnamese terms for English questions, and back."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_WORD_RE = re.compile(r"[\w'-]+")
# Past participles and past tenses a question uses that the suffix rules of `stem` cannot undo.
_IRREGULAR = {"withdrawn": "withdraw", "withdrew": "withdraw", "brought": "bring", "paid": "pay", "made": "make",
              "taken": "take", "took": "take", "given": "give", "gave": "give", "held": "hold", "built": "build",
              "sold": "sell", "bought": "buy", "chosen": "choose", "written": "write", "wrote": "write", "ran": "run",
              "began": "begin", "begun": "begin", "spent": "spend", "sent": "send", "kept": "keep", "laid": "lay",
              "met": "meet", "set": "set", "led": "lead", "lent": "lend", "left": "leave", "got": "get",
              "gotten": "get", "known": "know", "shown": "show", "drawn": "draw", "won": "win", "children": "child"}
_MIN_STEMMED = 4  # shorter words ("is", "the", "has") are never stemmed


def stem(word: str) -> str:
    """A crude English stem, the same for a word's inflected forms ("clusters", "appraising" / "appraise",
    "decided" / "decides", "companies" / "company", "withdrawn" / "withdraw", "days'" / "day"): the glossary's fallback
    when a question's word form is not listed. Not a lemma: only equality between stems means anything."""
    word = re.sub(r"'s?$", "", word)  # a possessive: "days' notice", "the investor's"
    word = _IRREGULAR.get(word, word)
    if len(word) < _MIN_STEMMED:
        return word
    if word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


@dataclass
class Glossary:
    """Phrase tables in both directions, matched longest-first."""

    en_to_vi: dict[str, list[str]] = field(default_factory=dict)
    vi_to_en: dict[str, list[str]] = field(default_factory=dict)
    longest: int = 1
    en_stems: dict[str, list[str]] = field(default_factory=dict)  # single words of `en_to_vi` keyed by stem (see `stem`)

    def lookup(self, english: str) -> list[str] | None:
        """The Vietnamese renderings of an English phrase (lower case): as listed, else, for a single word,
        of the listed word with the same stem ("appraises" finds "appraise"); None when neither is listed.
        A phrase is never found through stems: "enterprises operate" is not the listed "enterprises
        operating", whose Vietnamese must be found as one run of words."""
        found = self.en_to_vi.get(english)
        if found is None and " " not in english:
            found = self.en_stems.get(stem(english))
        return found

    def vietnamese_terms(self, english: str) -> list[str]:
        """Vietnamese renderings of the glossary phrases found in an English text."""
        return _translate(english.lower(), self.lookup, self.longest)

    def segments(self, english: str) -> list[tuple[str, list[str]]]:
        """The English text cut into glossary phrases (with their Vietnamese renderings) and leftover words
        (with none), longest phrases first."""
        words = _WORD_RE.findall(english.lower())
        out: list[tuple[str, list[str]]] = []
        position = 0
        while position < len(words):
            for size in range(min(self.longest, len(words) - position), 0, -1):
                phrase = " ".join(words[position : position + size])
                found = self.lookup(phrase)
                if found is not None:
                    out.append((phrase, found))
                    position += size
                    break
            else:
                out.append((words[position], []))
                position += 1
        return out

    def english_terms(self, vietnamese: str) -> list[str]:
        """English renderings of the glossary phrases found in a Vietnamese text."""
        return _translate(vietnamese.lower(), self.vi_to_en.get, self.longest)


def _translate(text: str, lookup: Callable[[str], list[str] | None], longest: int) -> list[str]:
    words = _WORD_RE.findall(text)
    out: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            phrase = " ".join(words[position : position + size])
            found = lookup(phrase)
            if found is not None:
                out.extend(found)
                position += size
                break
        else:
            position += 1
    return out


def load_glossary(path: Path) -> Glossary:
    """Read a TSV of `english<TAB>vietnamese|alternative` lines ('#' starts a comment). A line whose English
    is written `~english` reads English questions only: its Vietnamese is not rendered back into English
    (ambiguous words: "cấp" is "issue" in a question about a licence, and also a level)."""
    glossary = Glossary()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{path}:{number}: expected 'english<TAB>vietnamese'")
        question_only = parts[0].startswith("~")
        english = " ".join(_WORD_RE.findall(parts[0].lower().lstrip("~")))
        renderings = [v.strip().lower() for v in parts[1].split("|") if v.strip()]
        glossary.en_to_vi.setdefault(english, []).extend(renderings)
        if " " not in english:
            stemmed = glossary.en_stems.setdefault(stem(english), [])
            stemmed.extend(r for r in renderings if r not in stemmed)
        for vietnamese in renderings:
            key = " ".join(_WORD_RE.findall(vietnamese))
            if not question_only:
                glossary.vi_to_en.setdefault(key, []).append(english)
            glossary.longest = max(glossary.longest, len(key.split()))
        glossary.longest = max(glossary.longest, len(english.split()))
    return glossary
