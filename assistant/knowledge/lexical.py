"""BM25 indexes over the registry's chunks: Vietnamese word-segmented terms, and diacritic-folded syllables.
Derived data: rebuilt from the registry whenever its generation moves, swapped in atomically."""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from assistant.knowledge.registry import Registry

log = logging.getLogger(__name__)


@dataclass
class LexicalIndex:
    """Two BM25 indexes over the same chunk list."""

    generation: int
    vector_ids: list[str]
    words: bm25s.BM25 | None  # None when there are no chunks
    folded: bm25s.BM25 | None
    identity: int = 0  # the registry's (`Registry.stamp`): a rebuilt registry's generations start again

    def matches(self, stamp: tuple[int, int]) -> bool:
        """Whether this index is of the registry state `stamp` (identity, generation)."""
        return (self.identity, self.generation) == stamp

    def idf(self, term: str) -> float:
        """Inverse document frequency of a folded term (`ho_tro` or `ho`); highest for a term the corpus lacks."""
        count = max(len(self.vector_ids), 1)
        index = self.folded
        df = 0
        if index is not None:
            token = index.vocab_dict.get(term)
            if token is not None:
                pointers = index.scores["indptr"]
                df = int(pointers[token + 1] - pointers[token])
        return float(np.log(1 + (count - df + 0.5) / (df + 0.5)))

    def scores(self, terms: list[str], folded: bool = False) -> np.ndarray:
        """BM25 score of every chunk for the query terms (zeros for an empty index)."""
        index = self.folded if folded else self.words
        if index is None or not terms:
            return np.zeros(len(self.vector_ids), dtype=np.float32)
        known = [t for t in terms if t in index.vocab_dict]
        if not known:
            return np.zeros(len(self.vector_ids), dtype=np.float32)
        return np.asarray(index.get_scores(known), dtype=np.float32)


def _build(token_lists: list[list[str]]) -> bm25s.BM25:

    index = bm25s.BM25()
    index.index([tokens or [""] for tokens in token_lists], show_progress=False)
    return index


def build_lexical(registry: Registry, directory: Path) -> LexicalIndex:
    """Index the registry's live chunks and save the result under `directory/current`. The chunks are
    those of one generation: read again if another process committed while they were being read."""
    stamp = registry.stamp()
    while True:
        rows = registry.chunk_rows("vector_id, terms, folded_terms")
        now = registry.stamp()  # the generation moves in the commit that changes the chunks
        if now == stamp:
            break
        stamp = now
    identity, generation = stamp
    vector_ids = [r[0] for r in rows]
    if rows:
        words = _build([r[1].split() for r in rows])
        folded = _build([r[2].split() for r in rows])
    else:
        words = folded = None
    index = LexicalIndex(generation, vector_ids, words, folded, identity)
    try:
        _save(index, directory)
    except OSError as exc:  # a full disk: the index still serves from memory; the saved one stays as it was
        log.warning("could not save the lexical index in %s (%s); it will be rebuilt when needed", directory, exc)
    return index


def _save(index: LexicalIndex, directory: Path) -> None:
    """Write the index beside the current one, then swap it in; a failed write leaves the current one whole."""
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="bm25-", dir=directory))
    try:
        (staging / "meta.json").write_text(json.dumps({"identity": index.identity, "generation": index.generation,
                                                          "vector_ids": index.vector_ids}))
        if index.words is not None and index.folded is not None:  # both, or neither
            index.words.save(str(staging / "words"))
            index.folded.save(str(staging / "folded"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    target = directory / "current"
    old = directory / f"old-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def load_saved_lexical(directory: Path) -> LexicalIndex | None:
    """The saved index, whatever its generation; None when there is none or it cannot be read."""
    target = directory / "current"
    try:
        meta = json.loads((target / "meta.json").read_text())
        if not meta["vector_ids"]:
            return LexicalIndex(meta["generation"], [], None, None, meta.get("identity", 0))
        words = bm25s.BM25.load(str(target / "words"))
        folded = bm25s.BM25.load(str(target / "folded"))
        return LexicalIndex(meta["generation"], meta["vector_ids"], words, folded, meta.get("identity", 0))
    except Exception:  # any damage to derived data means: build it again
        return None


def load_lexical(registry: Registry, directory: Path) -> LexicalIndex:
    """The saved index if it is of the registry's current state (the same registry, at the same generation),
    else a fresh build."""
    saved = load_saved_lexical(directory)
    if saved is not None and saved.matches(registry.stamp()):
        return saved
    return build_lexical(registry, directory)
