"""BM25 indexes over the registry's chunks: Vietnamese word-segmented terms, and diacritic-folded syllables.
Derived data of one registry generation. The writer that makes a generation live builds its index once and
publishes it in the same commit (`Registry.commit_documents`); every process, replica or not, loads the
published index of the generation it sees and swaps it in whole. An index is packed as a NumPy archive of
plain arrays and JSON, zlib-compressed (read with pickle disallowed: nothing in the database can run code)."""
from __future__ import annotations

import io
import json
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import bm25s
import numpy as np

from assistant.knowledge.registry import Registry

log = logging.getLogger(__name__)

PACK_FORMAT = 1  # bumped when the packed layout changes: an index of another format is rebuilt
BM25_PARAMS = ("k1", "b", "delta", "method", "idf_method", "dtype", "int_dtype", "backend")
SCORE_ARRAYS = ("data", "indices", "indptr")
PARTS = ("words", "folded")
ZLIB_LEVEL = 1  # the writer packs in every commit: level 1 is ~6x faster than 6 for ~15 % more bytes


@dataclass
class LexicalIndex:
    """Two BM25 indexes over the same chunk list, of one registry generation."""

    generation: int
    vector_ids: list[str]
    words: bm25s.BM25 | None  # None when there are no chunks
    folded: bm25s.BM25 | None
    source: str = field(default="built", compare=False)  # "built" here, or "published" (loaded from the database)

    def _postings(self, term: str) -> np.ndarray:
        """The positions of the chunks that hold a folded term."""
        index = self.folded
        token = index.vocab_dict.get(term) if index is not None else None
        if index is None or token is None:
            return np.zeros(0, dtype=np.int64)
        pointers = index.scores["indptr"]
        return np.asarray(index.scores["indices"][pointers[token]:pointers[token + 1]])

    def frequency(self, term: str) -> int:
        """How many chunks hold a folded term (`bac_ninh` or `ninh`)."""
        return len(self._postings(term))

    @cached_property
    def row_documents(self) -> np.ndarray:
        """The document of each chunk, by row (read once per index)."""
        return np.array([vid.split("#", 1)[0] for vid in self.vector_ids], dtype=object)

    def documents_with(self, term: str) -> set[str]:
        """The documents one of whose chunks holds a folded term."""
        return set(self.row_documents[self._postings(term)].tolist())

    def word_frequencies(self) -> dict[str, int]:
        """How many chunks hold each segmented word of the word index (`hồ_sơ`: 120)."""
        index = self.words
        if index is None:
            return {}
        pointers = np.asarray(index.scores["indptr"])
        counts = pointers[1:] - pointers[:-1]
        return {word: int(counts[token]) for word, token in index.vocab_dict.items() if token < len(counts)}

    def idf(self, term: str) -> float:
        """Inverse document frequency of a folded term (`ho_tro` or `ho`); highest for a term the corpus lacks."""
        count = max(len(self.vector_ids), 1)
        df = self.frequency(term)
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


def index_rows(generation: int, rows: list[tuple[str, str, str]]) -> LexicalIndex:
    """The index of (vector_id, word terms, folded terms) rows, in the registry's chunk order."""
    if not rows:
        return LexicalIndex(generation, [], None, None)
    return LexicalIndex(generation, [r[0] for r in rows], _build([r[1].split() for r in rows]),
                        _build([r[2].split() for r in rows]))


def index_after_change(registry: Registry, removed: Iterable[str] = (),
                       added: Iterable[tuple[str, int, str, str, str]] = ()) -> LexicalIndex:
    """For a writer holding the writers' lock: the index of the live chunks as a change will leave them,
    the documents `removed` (doc_ids, also those replaced) taken out and the chunks `added` (doc_id,
    ordinal, vector_id, word terms, folded terms) put in. Its `generation` is the registry's now, the one
    the change is built on (`Registry.commit_documents` publishes it as the next)."""
    generation = registry.generation()
    gone = set(removed)
    rows = [r for r in registry.chunk_rows("doc_id, ordinal, vector_id, terms, folded_terms") if r[0] not in gone]
    rows.extend(added)
    rows.sort(key=lambda r: (r[0], r[1]))  # the order of `Registry.chunk_rows`
    return index_rows(generation, [(r[2], r[3], r[4]) for r in rows])


def build_lexical(registry: Registry) -> LexicalIndex:
    """Index the registry's live chunks. The chunks are those of one generation: read again if another
    process committed while they were being read."""
    generation = registry.generation()
    while True:
        rows = registry.chunk_rows("vector_id, terms, folded_terms")
        now = registry.generation()  # the counter moves in the commit that changes the chunks
        if now == generation:
            break
        generation = now
    return index_rows(generation, rows)


def pack(index: LexicalIndex) -> bytes:
    """The index as a zlib-compressed NumPy archive: the score arrays of both BM25 indexes, and a JSON
    header (format, chunk ids, BM25 parameters and vocabularies). Its generation is the key it is stored
    under."""
    header: dict = {"format": PACK_FORMAT, "vector_ids": index.vector_ids}
    arrays: dict[str, np.ndarray] = {}
    for part in PARTS:
        bm25: bm25s.BM25 | None = getattr(index, part)
        if bm25 is None:
            continue
        header[part] = {"params": {name: getattr(bm25, name) for name in BM25_PARAMS},
                        "num_docs": int(bm25.scores["num_docs"]), "vocab": bm25.vocab_dict}
        for name in SCORE_ARRAYS:
            arrays[f"{part}.{name}"] = np.asarray(bm25.scores[name])
        if bm25.nonoccurrence_array is not None:
            arrays[f"{part}.nonoccurrence"] = np.asarray(bm25.nonoccurrence_array)
    arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **arrays)
    return zlib.compress(out.getvalue(), ZLIB_LEVEL)


def unpack(data: bytes, generation: int) -> LexicalIndex:
    """The index packed by `pack`, as generation `generation`; ValueError when it is not one of ours."""
    with np.load(io.BytesIO(zlib.decompress(data)), allow_pickle=False) as archive:
        header = json.loads(archive["header"].tobytes().decode())
        if header.get("format") != PACK_FORMAT:
            raise ValueError(f"lexical index of format {header.get('format')!r}, not {PACK_FORMAT}")
        parts: dict[str, bm25s.BM25 | None] = {}
        for part in PARTS:
            if part not in header:
                parts[part] = None
                continue
            bm25 = bm25s.BM25(**header[part]["params"])
            bm25.vocab_dict = header[part]["vocab"]
            bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
            bm25.scores = {name: archive[f"{part}.{name}"] for name in SCORE_ARRAYS}
            bm25.scores["num_docs"] = header[part]["num_docs"]
            nonoccurrence = f"{part}.nonoccurrence"
            bm25.nonoccurrence_array = archive[nonoccurrence] if nonoccurrence in archive.files else None
            parts[part] = bm25
    vector_ids = header["vector_ids"]
    if (parts["words"] is None) != (not vector_ids) or (parts["folded"] is None) != (not vector_ids):
        raise ValueError("lexical index: its chunk list and its BM25 indexes disagree")
    return LexicalIndex(generation, vector_ids, parts["words"], parts["folded"], source="published")


def published_lexical(registry: Registry, generation: int) -> tuple[LexicalIndex | None, str]:
    """The index published for `generation`, or None and why not ("missing", or "unreadable (…)")."""
    data = registry.published_lexical(generation)
    if data is None:
        return None, "missing"
    try:
        return unpack(data, generation), ""
    except Exception as exc:  # damaged, or of another format: derived data, built again
        return None, f"unreadable ({type(exc).__name__}: {exc})"


def load_lexical(registry: Registry) -> LexicalIndex:
    """The index of the registry's current generation: the published one or, when it is missing or
    unreadable (e.g. written by an older version), built here, with a warning, and published for the
    other processes."""
    generation = registry.generation()
    if generation == 0:  # nothing was ever committed: the empty index, nothing to publish
        return build_lexical(registry)
    found, why = published_lexical(registry, generation)
    if found is not None:
        return found
    log.warning("the lexical index of generation %d is %s in the database: building it from the registry",
                generation, why)
    return publish_lexical(registry, build_lexical(registry))


def publish_lexical(registry: Registry, index: LexicalIndex) -> LexicalIndex:
    """Publish an index built outside a registry commit (a fallback build, `cnht reindex`); a failure only
    costs the other processes a build of their own. Returns the index."""
    try:
        registry.publish_lexical(index.generation, pack(index))
    except Exception as exc:
        log.warning("could not publish the lexical index of generation %d (%s: %s)", index.generation,
                    type(exc).__name__, exc)
    return index
