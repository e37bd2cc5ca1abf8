"""`cnht`: the command line. Each command builds what it needs from Settings; nothing happens at import."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

app = typer.Typer(
    help="CNHT Assistant: answers questions about industrial-policy documents, offline. "
    "Settings come from CNHT_* environment variables or a .env file; CNHT_DATA_DIR (default ./data) holds the index.",
    no_args_is_help=True,
    add_completion=False,
)
docs_app = typer.Typer(help="List and remove indexed documents.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
admin_app = typer.Typer(help="Staff workspace accounts.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
db_app = typer.Typer(help="The database (CNHT_DATABASE_URL, default SQLite under the data directory): its schema.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


def _settings():
    from assistant.settings import Settings

    return Settings()


def _build(factory, *args):
    """Run a factory; a configuration it cannot satisfy (missing model, bad file) exits 2 with the reason."""
    from sqlalchemy.exc import OperationalError

    from assistant.knowledge.base import IndexDamaged
    from assistant.knowledge.embeddings import EmbedderUnavailable
    from assistant.knowledge.vectors import VectorsUnavailable

    try:
        return factory(*args)
    except (EmbedderUnavailable, IndexDamaged, VectorsUnavailable, FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except OperationalError as exc:
        typer.echo(f"error: the database cannot be reached (CNHT_DATABASE_URL): {str(exc.orig).strip()}", err=True)
        raise typer.Exit(2) from exc


def _database(settings, migrate: bool = True):
    """The configured database, migrated (its registry holds the documents) unless `migrate` is False."""
    from assistant.db.database import open_database

    return _build(open_database, settings, migrate)


def _knowledge_base(settings):
    from assistant.knowledge.base import open_knowledge_base

    return _build(open_knowledge_base, settings, _database(settings))


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary and failures."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not OCR scans: scanned or garbled files are refused (CNHT_OCR=false)."),
) -> None:
    """Add or update documents. Unchanged files are skipped; scanned pages and images are read by OCR
    (Tesseract, Vietnamese); exit status 1 if any input failed."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.knowledge.ingestion import ingest_paths, parse_options

    settings = _settings()
    kb = _knowledge_base(settings)
    console = Console(stderr=True)
    live = console.is_terminal and not quiet
    marks = {"added": "+", "replaced": "~", "unchanged": "=", "failed": "✗", "partial": "!"}
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not live,
    ) as progress:
        task = progress.add_task("ingesting", total=None)

        def say(line: str) -> None:
            if live:
                progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
            else:
                typer.echo(line)

        def on_file(position: int, total: int, result) -> None:
            progress.update(task, total=total, completed=position, description=Path(result.source).name[:40])
            if quiet and not result.failures:
                return
            documents = len(result.added) + len(result.replaced) + len(result.unchanged)
            counts = ", ".join(f"{len(getattr(result, k))} {k}" for k in ("added", "replaced", "unchanged") if getattr(result, k))
            say(f"{marks[result.status]} {result.source}: {result.status}" + (f" ({counts})" if documents > 1 else ""))
            for failure in result.failures:
                say(f"    ✗ {failure}")

        shown_at, shown_step = 0.0, ("", "")

        def on_progress(source: str, stage: str, done: int, total: int) -> None:
            """A file of many records (JSONL): how many are parsed, then embedded, at most a line a second
            (and the last), always on stderr."""
            nonlocal shown_at, shown_step
            now = time.monotonic()
            if total < 2 or (shown_step == (source, stage) and done < total and now - shown_at < 1):
                return
            shown_at, shown_step = now, (source, stage)
            line = f"  {Path(source).name}: {done}/{total} records {stage}"
            if live:
                progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
            else:
                typer.echo(line, err=True)

        options = parse_options(settings)
        options.ocr.enabled = options.ocr.enabled and not no_ocr
        options.ocr.progress = None if quiet else say
        report = ingest_paths(kb, paths, options, on_file, None if quiet else on_progress)
        for failure in report.missing:
            say(f"✗ {failure}")
        if not quiet:
            for skipped in report.skipped:
                say(f"- {skipped.source}: skipped, {skipped.reason}")
    typer.echo(
        f"{report.count('added')} added, {report.count('replaced')} replaced, {report.count('unchanged')} unchanged, "
        f"{len(report.failures)} failed, {len(report.skipped)} skipped — {len(kb.documents())} documents in {settings.data_dir}"
    )
    raise typer.Exit(0 if report.ok else 1)


@docs_app.command("list")
def docs_list(as_json: bool = typer.Option(False, "--json", help="JSON instead of a table.")) -> None:
    """Documents in the knowledge base."""
    settings = _settings()
    from assistant.knowledge.registry import Registry

    registry = Registry(_database(settings))
    records = registry.documents()
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=2))
        return
    if not records:
        typer.echo(f"No documents in {settings.data_dir}. Add some with: cnht ingest PATH")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("doc_id", "number", "type", "date", "status", "lang", "chunks", "title")
    for r in records:
        m = r.meta
        status = m.status + (f" → {m.superseded_by}" if m.superseded_by else "")
        table.add_row(r.doc_id, m.doc_number, m.doc_type, m.issued_date, status, m.lang, str(r.chunk_count), m.title[:60])
    Console().print(table)


@docs_app.command("remove")
def docs_remove(doc_id: str = typer.Argument(..., help="The doc_id shown by `cnht docs list`.")) -> None:
    """Remove a document from every index."""
    settings = _settings()
    kb = _knowledge_base(settings)
    if not kb.remove(doc_id):
        typer.echo(f"error: no document with doc_id {doc_id!r} (see `cnht docs list`)", err=True)
        raise typer.Exit(1)
    typer.echo(f"removed {doc_id}")


@app.command()
def doctor() -> None:
    """Check the registry against the vectors and the lexical index; exit status 1 on any inconsistency."""
    from assistant.knowledge.embeddings import build_embeddings
    from assistant.knowledge.maintenance import doctor as checkup
    from assistant.knowledge.vectors import vector_store

    settings = _settings()
    found = checkup(settings.index_dir, _database(settings), _build(build_embeddings, settings), settings.vector_sync_threshold,
                    vector_store(settings))
    for problem in found.problems:
        typer.echo(f"✗ {problem}")
    if found.consistent:
        typer.echo(f"consistent: {found.documents} documents, {found.chunks} chunks in {settings.data_dir}")
    raise typer.Exit(0 if found.consistent else 1)


@app.command()
def reindex() -> None:
    """Rebuild the vectors and the lexical index from the registry (after a full disk or a damaged index)."""
    from assistant.knowledge.embeddings import build_embeddings
    from assistant.knowledge.maintenance import reindex as rebuild
    from assistant.knowledge.vectors import vector_store

    settings = _settings()
    done = _build(rebuild, settings.index_dir, _database(settings), _build(build_embeddings, settings),
                  settings.vector_sync_threshold, vector_store(settings))
    typer.echo(f"rebuilt {done.vectors} vectors ({done.embedded} embedded anew) and the lexical index for"
               f" {done.documents} documents" + (f"; the previous vector store is in {done.set_aside}" if done.set_aside else "")
               + (f"; {done.removed} vectors of no live chunk deleted" if done.removed else ""))


def _searcher(settings):
    from assistant.retrieval.search import build_searcher

    return _build(build_searcher, settings, _knowledge_base(settings))


@app.command()
def search(
    query: str = typer.Argument(..., help="The question or keywords, Vietnamese or English."),
    k: int = typer.Option(10, "-k", min=1, max=100, help="How many hits."),
    as_json: bool = typer.Option(False, "--json", help="JSON list of hits."),
    doc_type: list[str] = typer.Option([], "--type", help="Only these document types (decision, decree, notice, ...)."),
    lang: str = typer.Option("", "--lang", help="Only documents in this language (vi or en)."),
    date_from: str = typer.Option("", "--from", help="Issued on or after YYYY-MM-DD."),
    date_to: str = typer.Option("", "--to", help="Issued on or before YYYY-MM-DD."),
    effective_from: str = typer.Option("", "--effective-from", help="In force (date in force) on or after YYYY-MM-DD."),
    effective_to: str = typer.Option("", "--effective-to", help="In force (date in force) on or before YYYY-MM-DD."),
) -> None:
    """Hybrid search over the indexed documents; the best chunks first."""
    from assistant.retrieval.search import Filters

    if not query.strip():
        typer.echo("error: the query is empty", err=True)
        raise typer.Exit(2)
    searcher = _searcher(_settings())
    filters = Filters(doc_types=doc_type, lang=lang, date_from=date_from, date_to=date_to,
                      effective_from=effective_from, effective_to=effective_to)
    hits = searcher.search(query, k=k, filters=filters)
    if as_json:
        typer.echo(json.dumps([h.public() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("No matching passages.")
    for rank, hit in enumerate(hits, start=1):
        where = " · ".join(x for x in (hit.doc_number or hit.doc_id, hit.section, f"p. {hit.page}" if hit.page else "") if x)
        typer.echo(f"{rank}. [{hit.score:.3f}] {where} — {hit.title[:70]}")
        typer.echo("   " + " ".join(hit.text.split())[:240])


@app.command("eval")
def evaluate_command(
    questions: Path = typer.Argument(..., help="JSONL: {id, question, lang?, gold_passage_ids}."),
    k: int = typer.Option(10, "-k", min=1, max=100),
    as_json: bool = typer.Option(False, "--json"),
    rankings: Path | None = typer.Option(None, "--rankings", help="Write {id, ranked_doc_ids} lines here."),
    answers: bool = typer.Option(False, "--answers", help="Score answers against expected substrings, per kind."),
    half: str = typer.Option("test", "--half", help="With --answers: the tune, test or all questions (split by group)."),
    outcomes: Path | None = typer.Option(None, "--outcomes", help="With --answers: write one outcome a line here."),
) -> None:
    """Retrieval quality: Recall@1/5/10, MRR@10 and nDCG@10, overall and per language. With --answers:
    answer quality per kind (fact in the first line, right document, refusals, asker's language)."""
    from assistant.evaluation import evaluate, load_questions

    try:
        items = load_questions(questions)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if answers:
        _evaluate_answers(items, half, as_json, outcomes)
        return
    searcher = _searcher(_settings())
    report, ranked = evaluate(lambda q, n: searcher.search(q, k=n), items, k=k)
    if rankings:
        rankings.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ranked), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows = [("overall", report["overall"])] + list(report["by_lang"].items()) + [(f"  {g}", m) for g, m in report.get("by_group", {}).items()]
    typer.echo(f"{'':18}{'n':>5}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'MRR@10':>8}{'nDCG@10':>9}")
    for name, m in rows:
        typer.echo(f"{name:18}{m['questions']:>5}{m['recall@1']:>8.3f}{m['recall@5']:>8.3f}{m['recall@10']:>8.3f}{m['mrr@10']:>8.3f}{m['ndcg@10']:>9.3f}")
    if report["unanswerable_questions"]:
        typer.echo(f"({report['unanswerable_questions']} questions without gold documents left out)")


def _evaluate_answers(items, half: str, as_json: bool, outcomes: Path | None) -> None:
    from assistant.answering.evaluation import HALVES, evaluate_answers

    if half not in HALVES:
        typer.echo(f"error: --half must be one of {', '.join(HALVES)}, not {half!r}", err=True)
        raise typer.Exit(2)
    service = _services(_settings())
    report, rows = evaluate_answers(lambda q: service.ask(q).public(), items, half)
    if outcomes:
        outcomes.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    typer.echo(f"half: {report['half']}")
    typer.echo(f"{'':18}{'n':>5}{'fact@1st':>10}{'right doc':>10}{'both':>8}{'false ref':>10}{'lang':>7}{'refused':>9}")
    for kind, m in report["by_kind"].items():
        if kind == "unanswerable":
            typer.echo(f"{kind:18}{m['questions']:>5}{'':>45}{m['refused']:>9.3f}")
        else:
            typer.echo(f"{kind:18}{m['questions']:>5}{m['fact_first_line']:>10.3f}{m['right_document']:>10.3f}"
                       f"{m['fact_and_document']:>8.3f}{m['false_refusals']:>10.3f}{m['asker_language']:>7.3f}")


def _services(settings):
    from assistant.runtime import build_runtime

    return _build(build_runtime, settings).service


def _print_answer(answer) -> None:
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("")
        for c in answer.citations:
            where = " · ".join(x for x in (c.doc_number or c.doc_id, c.section, f"p. {c.page}" if c.page else "") if x)
            typer.echo(f"[{c.n}] {where} — {c.title[:80]}")


@app.command()
def ask(
    question: str = typer.Argument(..., help="A question in Vietnamese or English."),
    as_json: bool = typer.Option(False, "--json", help="JSON: answer, lang, grounded, source, citations."),
) -> None:
    """Answer one question from the documents, with citations."""
    if not question.strip():
        typer.echo("error: the question is empty", err=True)
        raise typer.Exit(2)
    answer = _services(_settings()).ask(question)
    if as_json:
        typer.echo(json.dumps(answer.public(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


@app.command()
def chat() -> None:
    """A conversation in the terminal: follow-up questions keep their context; an empty line or Ctrl-D ends it."""
    import uuid

    service = _services(_settings())
    session = uuid.uuid4().hex
    typer.echo("CNHT Assistant — hỏi bằng tiếng Việt hoặc tiếng Anh / ask in Vietnamese or English. (Ctrl-D: thoát/quit)")
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            break
        if not question:
            break
        _print_answer(service.ask(question, session_id=session))


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default CNHT_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default CNHT_PORT, 8000)."),
    workers: int = typer.Option(1, min=1, max=16, help="Worker processes (each loads its own index)."),
) -> None:
    """The web chat, the widget and the REST API (OpenAPI at /docs)."""
    import uvicorn

    from assistant.runtime import build_runtime
    from bots.web.server import create_server

    settings = _settings()
    app = create_server(_build(build_runtime, settings, None, True))  # fails fast on a bad configuration, before any worker starts
    if workers > 1:
        del app
        uvicorn.run("bots.web.server:server_from_environment", factory=True, workers=workers,
                    host=host or settings.host, port=port or settings.port, log_level="warning", proxy_headers=False)
    else:
        uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info", proxy_headers=False)


@admin_app.command("create-user")
def create_user(
    username: str = typer.Argument(..., help="The account's name."),
    role: str = typer.Option("staff", help="staff or admin (admins also manage accounts and read the audit log)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create an account for the workspace at /admin."""
    from assistant.workspace.accounts import create_user as create

    password = _password(password_stdin, "Password")
    _account_command("user.created", username, lambda db: create(db, username, password, role),
                     f"created {role} account {username.strip()!r}", detail=role)


def _password(from_stdin: bool, prompt: str) -> str:
    """A password from standard input (one line) or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


def _account_command(action: str, username: str, change, done: str, detail: str = "") -> None:
    """Apply `change(database)` to an account, audit it as done from the command line, report `done`."""
    from assistant.workspace.accounts import AccountError, audit

    database = _database(_settings())
    try:
        change(database)
    except AccountError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    audit(database, "cli", action, username.strip(), detail)
    typer.echo(done)


@admin_app.command("unlock")
def unlock_user(username: str = typer.Argument(..., help="The account's name.")) -> None:
    """Forget an account's failed sign-ins, so no client has to wait before signing in."""
    from assistant.workspace.accounts import unlock

    _account_command("user.unlocked", username, lambda db: unlock(db, username), f"unlocked {username.strip()!r}")


@admin_app.command("disable")
def disable_user(username: str = typer.Argument(..., help="The account's name.")) -> None:
    """Disable an account: no sign-in, its sessions end, its API tokens stop working."""
    from assistant.workspace.accounts import set_disabled

    _account_command("user.disabled", username, lambda db: set_disabled(db, username, True), f"disabled {username.strip()!r}")


@admin_app.command("enable")
def enable_user(username: str = typer.Argument(..., help="The account's name.")) -> None:
    """Enable a disabled account again."""
    from assistant.workspace.accounts import set_disabled

    _account_command("user.enabled", username, lambda db: set_disabled(db, username, False), f"enabled {username.strip()!r}")


@admin_app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="The account's name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Set an account's password (its browser sessions end)."""
    from assistant.workspace.accounts import change_password

    password = _password(password_stdin, "New password")
    _account_command("password.set", username, lambda db: change_password(db, username, password),
                     f"password of {username.strip()!r} changed")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the pending migrations (what every command does when it opens the database) and move the state
    files of an earlier layout into it; prints the revision reached."""
    database = _database(_settings())
    typer.echo(f"database at revision {database.revision()} (newest)")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision, without migrating it (exit status 1 when it is behind)."""
    database = _database(_settings(), migrate=False)
    current, head = database.revision(), database.head()
    if current == head:
        typer.echo(f"{current} (newest)")
        return
    typer.echo(f"{current or 'empty'} (behind: the newest is {head}; run `cnht db upgrade`)")
    raise typer.Exit(1)


@app.command()
def telegram(
    poll_interval: float = typer.Option(0.0, help="Seconds between polls (Telegram long-polls; a local emulator may need 0.05)."),
) -> None:
    """The Telegram bot by long polling (for a server Telegram cannot reach; else set CNHT_TELEGRAM_WEBHOOK_URL
    and use `cnht serve`). While Telegram cannot be reached it tries again with backoff, saying why; it exits
    (status 2) only when Telegram refuses the token."""
    import logging

    from assistant.runtime import build_runtime
    from bots.telegram.app import TelegramNotConfigured, build_bot, run_polling_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = _settings()
    if not settings.telegram_token:
        typer.echo(f"error: {(TelegramNotConfigured.__doc__ or '').strip()} Set CNHT_TELEGRAM_TOKEN.", err=True)
        raise typer.Exit(2)
    runtime = _build(build_runtime, settings, None, True)  # with the database: curated answers are served
    bot = _build(build_bot, settings, runtime.service, runtime.database)
    if not run_polling_bot(bot, poll_interval):
        typer.echo("error: Telegram refused the bot token: check CNHT_TELEGRAM_TOKEN (from @BotFather).", err=True)
        raise typer.Exit(2)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=argv if argv is not None else sys.argv[1:], prog_name="cnht")
