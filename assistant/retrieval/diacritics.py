"""Diacritics put back on Vietnamese typed without them ("ho so xin giay phep" → "hồ sơ xin giấy phép"),
from the words of the indexed documents themselves: each run of syllables is cut into the indexed words
whose folded form it spells, preferring longer and more frequent words. Nothing is downloaded; the
vocabulary is that of the current lexical index."""
from __future__ import annotations

import math
import re

from ingest.vietnamese import QUESTION_WORDS, fold

LONGEST_WORD = 4  # syllables in the longest word looked up
_WORD_RE = re.compile(r"([^\W\d_]+)([^\w\s]*)")  # a word, and the punctuation that ends it


class DiacriticRestorer:
    """Restores diacritics with a vocabulary of segmented words (`hồ_sơ`) and their frequencies."""

    def __init__(self, frequencies: dict[str, int]):
        best: dict[str, tuple[int, str]] = {}
        for word, count in frequencies.items():
            if not word.replace("_", "").isalpha() or word.count("_") >= LONGEST_WORD:
                continue
            key = fold(word)
            if count > best.get(key, (0, ""))[0]:
                best[key] = (count, word)
        total = sum(count for count, _ in best.values()) or 1
        for word in QUESTION_WORDS:
            best[fold(word)] = max(best.get(fold(word), (0, "")), (total // 200, word))
        self._best = best
        self._log_total = math.log(total + 1)

    def restore(self, text: str) -> str:
        """The text with each run of plain words restored; numbers, document numbers, punctuation and
        spacing kept as typed."""
        out: list[str] = []
        run: list[str] = []
        for chunk in re.split(r"(\s+)", text):
            word = _WORD_RE.fullmatch(chunk)
            if chunk.isspace() and run:
                continue
            if word is None:
                if run:
                    out.append(self._restore_run(run) + " ")
                    run = []
                out.append(chunk)
                continue
            run.append(word.group(1))
            if word.group(2):
                out.append(self._restore_run(run) + word.group(2) + " ")
                run = []
        if run:
            out.append(self._restore_run(run))
        return " ".join("".join(out).split())

    def _restore_run(self, words: list[str]) -> str:
        """The most likely cut of a run of words into indexed words, each word as likely as it is frequent
        in the index (a unigram model: fewer, longer words win unless their parts are much more common); a
        word the vocabulary lacks stays as typed."""
        if not words:
            return ""
        folded = [fold(w.lower()) for w in words]
        n = len(words)
        score = [0.0] + [-math.inf] * n
        choice: list[tuple[int, str]] = [(0, "")] * (n + 1)
        for end in range(1, n + 1):
            for length in range(1, min(LONGEST_WORD, end) + 1):
                start = end - length
                found = self._best.get("_".join(folded[start:end]))
                if found is None and length > 1:
                    continue
                count, word = found if found is not None else (0, words[start])
                value = score[start] + math.log1p(count) - self._log_total
                if value > score[end]:
                    score[end], choice[end] = value, (start, word.replace("_", " "))
        pieces: list[str] = []
        end = n
        while end > 0:
            start, word = choice[end]
            restored = word.split()
            # a word typed with a capital keeps it ("Hai Duong" → "Hải Dương")
            pieces.append(" ".join(w[:1].upper() + w[1:] if typed[:1].isupper() else w
                                   for w, typed in zip(restored, words[start:end])))
            end = start
        return " ".join(reversed(pieces))
