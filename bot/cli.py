"""The policybot command line: ingest, ask, serve, eval, feedback export, gaps and register."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.cli_help import SwedishParser
from bot.localtime import format_local
from config.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _print_err(message: str) -> None:
    print(message, file=sys.stderr)


def format_answer(answer) -> str:
    """Human-readable answer with its numbered sources."""
    lines = [answer.answer]
    path = getattr(answer, "answerer", "extractive")
    if path == "generative":
        lines.append("(Skrivet av en språkmodell; varje mening är kontrollerad mot sin källa.)")
    elif path == "extractive-fallback":
        lines.append("(Språkmodellens text klarade inte kontrollen; svaret citerar dokumenten.)")
    if answer.citations:
        lines += ["", "Källor:"]
        for c in answer.citations:
            where = f"{c.title} ({c.updated})" + (f", avsnitt ”{c.section}”" if c.section else "")
            lines.append(f"[{c.n}] {where}" + (f" {c.url}" if c.url else ""))
            quote = c.quote.replace("\n", "\n    ")
            lines.append(f"    ”{quote}”")
    return "\n".join(lines)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.embeddings import EmbeddingServerError, ProviderError
    from ingest.indexer import CorpusError, ingest

    def waiting(lock: Path) -> None:
        _print_err(f"Väntar på en annan indexering som pågår (låsfil {lock}) …")

    if args.workers is not None and args.workers < 1:
        _print_err("Fel: --workers ska vara minst 1")
        return EXIT_USAGE
    try:
        report = ingest(
            settings,
            Path(args.corpus) if args.corpus else None,
            progress=not args.quiet,
            on_wait=waiting,
            workers=args.workers,
        )
    except (CorpusError, ProviderError) as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_USAGE
    except EmbeddingServerError as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_FAILED
    for err in report.errors:
        _print_err(f"Kunde inte läsa {err.path}: {err.reason}")
    waited = f", väntade {report.waited_s:.1f} s på låset" if report.waited_s >= 0.1 else ""
    print(
        f"{report.summary()} ({report.documents} dokument, {report.chunks} avsnitt, "
        f"{report.embedded} texter inbäddade, {report.cache_hits} från cachen, "
        f"{report.seconds:.1f} s{waited})"
    )
    _rebuild_register_after(report, settings)
    return EXIT_FAILED if report.errors else EXIT_OK


def _rebuild_register_after(report, settings: Settings) -> None:
    """A changed index gets a new register, stored beside it, so the web page stays current."""
    from bot.register_build import rebuild_register, stored

    if not (report.added or report.updated or report.deleted) and stored(settings) is not None:
        return
    if report.documents == 0:
        return
    register = rebuild_register(_load_bot(settings), _register_progress())
    print(f"Registret över medlemskap och vänorter byggdes om: {len(register.rows)} rader.")


def _load_bot(settings: Settings, check_answerer: bool = False):
    from bot.service import PolicyBot

    bot = PolicyBot.from_settings(settings, progress=sys.stderr.isatty())
    warning = bot.answerer_warning() if check_answerer else None
    if warning:
        _print_err(warning)
    return bot


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.service import QuestionError, validate_question
    from ingest.indexer import CorpusError

    if args.jsonl:
        return _ask_jsonl(settings)
    if args.question is None:
        _print_err('Fel: ange en fråga, t.ex. policybot ask "Vilka vänorter har Luleå?"')
        return EXIT_USAGE
    try:
        validate_question(args.question, settings.max_question_chars)
    except QuestionError as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_USAGE
    try:
        bot = _load_bot(settings, check_answerer=True)
    except CorpusError as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_USAGE
    if getattr(args, "explain", False):
        from bot.explain import explain

        print(explain(bot, args.question, args.history or []))
        return EXIT_OK
    answer = bot.ask(args.question, args.history or [])
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return EXIT_OK


def _ask_jsonl(settings: Settings) -> int:
    """One JSON object per input line; a bad line gets {"error": ...} and the rest go on."""
    from bot.service import QuestionError

    bot = _load_bot(settings, check_answerer=True)  # models load once for the whole stream
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError('varje rad ska vara ett JSON-objekt med nyckeln "question"')
            history = item.get("history") or []
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise ValueError('"history" ska vara en lista med strängar')
            out = bot.ask(item.get("question"), history).to_dict()
        except json.JSONDecodeError as exc:
            out = {"error": f"ogiltig JSON: {exc.msg} (kolumn {exc.colno})"}
        except (QuestionError, ValueError) as exc:
            out = {"error": str(exc)}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Only reads: where no index exists, it says so and creates nothing."""
    from ingest.store import index_status

    where = settings.data_dir.resolve()
    status = index_status(settings)
    if status is None:
        _print_err(
            f"Fel: det finns inget index i {where}.\n"
            "Skapa ett med: policybot ingest (eller ange en annan datamapp med --data-dir)."
        )
        return EXIT_FAILED
    print(
        f"{status['documents']} dokument, {status['chunks']} avsnitt, "
        f"senast indexerat {format_local(status['last_ingest'])}"
    )
    print(f"Datamapp: {where}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import SecretStr

    from bot.web.server import serve

    update: dict = {}
    if args.auth is not None:
        update["auth"] = SecretStr(args.auth)
    if args.root_path is not None:
        update["root_path"] = args.root_path
    return serve(settings.model_copy(update=update), host=args.host, port=args.port)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.register:
        return _eval_registers(args, settings)
    from evals.command import main as eval_main

    return eval_main(args, settings)


def _eval_registers(args: argparse.Namespace, settings: Settings) -> int:
    from bot.service import PolicyBot
    from evals.register_eval import main as register_main
    from evals.schema import EvalFormatError

    try:
        return register_main(
            [Path(p) for p in args.register],
            settings,
            lambda s: PolicyBot.from_settings(s, progress=sys.stderr.isatty()),
            baseline=Path(args.baseline) if args.baseline else None,
            json_out=Path(args.json_out) if args.json_out else None,
        )
    except (EvalFormatError, OSError, ValueError) as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_USAGE


def _feedback_exists(settings: Settings) -> bool:
    """Commands that only read never create the feedback database; say where it was sought."""
    path = (settings.data_dir / "feedback.sqlite").resolve()
    if path.is_file():
        return True
    _print_err(
        f"Fel: det finns ingen återkoppling i {path}. Den skapas av webbchatten "
        "(policybot serve); ange en annan datamapp med --data-dir."
    )
    return False


def cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import FeedbackStore

    if not _feedback_exists(settings):
        return EXIT_FAILED
    n = FeedbackStore.from_settings(settings).export_csv(Path(args.out))
    print(f"{n} svar exporterade till {args.out}")
    return EXIT_OK


def _since(args: argparse.Namespace, retention_days: int) -> tuple[datetime | None, str]:
    """The start of the period (Swedish midnight for --since) and how to say it."""
    from bot.localtime import SWEDEN

    if args.since is not None:
        start = datetime.combine(args.since, datetime.min.time(), tzinfo=SWEDEN)
        return start, f"sedan {args.since.isoformat()}"
    if args.days is not None:
        start = datetime.now(SWEDEN) - timedelta(days=args.days)
        return start, f"de senaste {args.days} dagarna"
    return None, f"de senaste {retention_days} dagarna (allt som sparats)"


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import FeedbackStore
    from bot.gaps import collect, export_csv, format_report

    if not _feedback_exists(settings):
        return EXIT_FAILED
    since, period = _since(args, settings.feedback_retention_days)
    groups = collect(FeedbackStore.from_settings(settings), since)
    print(format_report(groups, period))
    if args.csv:
        try:
            n = export_csv(groups, Path(args.csv))
        except OSError as exc:
            _print_err(f"Fel: kunde inte skriva {args.csv}: {exc.strerror or exc}")
            return EXIT_FAILED
        print(f"{n} frågor exporterade till {args.csv}")
    return EXIT_OK


def cmd_register(args: argparse.Namespace, settings: Settings) -> int:
    from bot.register_build import rebuild_register, stored
    from bot.register_output import export_csv, format_table
    from bot.register_store import RegisterFileError
    from ingest.indexer import CorpusError

    try:
        register = None if args.rebuild else stored(settings)
        if register is None:
            register = rebuild_register(_load_bot(settings), _register_progress())
            _print_err(f"Registret byggdes: {len(register.rows)} rader.")
    except (CorpusError, RegisterFileError) as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_USAGE
    print(format_table(register))
    for option, write in (
        (args.csv, lambda path: export_csv(register, path)),
        (args.json_out, lambda path: _write_json(register, path)),
    ):
        if option:
            try:
                write(Path(option))
            except OSError as exc:
                _print_err(f"Fel: kunde inte skriva {option}: {exc.strerror or exc}")
                return EXIT_FAILED
            print(f"Registret skrevs till {option}")
    return EXIT_OK


def _write_json(register, path: Path) -> None:
    from bot.register_store import save

    save(register, path)


def _register_progress():
    """A progress bar on a terminal (the register asks five questions per row), else nothing."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int, name: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="Bygger registret", unit="rad", file=sys.stderr)
        bar.n = done
        bar.set_postfix_str(name[:30])
        if done >= total:
            bar.close()

    return update


def _command(sub, name: str, summary: str, example: str, func) -> argparse.ArgumentParser:
    """A subcommand with a one-line description and an example under its help."""
    p = sub.add_parser(
        name,
        help=summary,
        description=f"{summary[0].upper()}{summary[1:]}.",
        epilog=f"Exempel:\n  {example}",
    )
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(
        prog="policybot",
        description="Svarar på frågor om kommunens policydokument, alltid med källhänvisning.",
        epilog="Inställningar läses från miljövariabler med prefixet POLICYBOT_ (se README).\n"
        "Datamappen (index och omdömen) är som standard .policybot i den katalog du står i\n"
        "när du kör kommandot; ange en fast plats med --data-dir eller POLICYBOT_DATA_DIR.\n"
        "Hjälp för ett kommando: policybot KOMMANDO --hjälp",
    )
    parser.add_argument(
        "--data-dir",
        metavar="MAPP",
        help="mapp för index och omdömen (POLICYBOT_DATA_DIR; standard: .policybot, relativt "
        "arbetskatalogen)",
    )
    sub = parser.add_subparsers(dest="command", title="kommandon", metavar="KOMMANDO")
    sub.required = True

    p = _command(
        sub,
        "ingest",
        "läs in korpusen i indexet (bara ändringar räknas om)",
        "policybot ingest --corpus corpus/",
        cmd_ingest,
    )
    p.add_argument("--corpus", metavar="MAPP", help="korpusmapp (standard: corpus/)")
    p.add_argument("--quiet", action="store_true", help="ingen förloppsindikator")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="antal parallella inbäddare (standard: POLICYBOT_INGEST_WORKERS, 1)",
    )

    _add_ask(sub)
    p = _command(sub, "serve", "starta webbchatten", "policybot serve --port 7860", cmd_serve)
    p.add_argument(
        "--host", default="127.0.0.1", metavar="ADRESS", help="adress att lyssna på (127.0.0.1)"
    )
    p.add_argument("--port", type=int, default=7860, metavar="PORT", help="port (7860)")
    p.add_argument(
        "--auth",
        metavar="ANVÄNDARE:LÖSENORD",
        help="kräv inloggning för hela chatten (POLICYBOT_AUTH; lösenordet skrivs aldrig ut)",
    )
    p.add_argument(
        "--root-path",
        metavar="SÖKVÄG",
        help="sökvägen bakom en omvänd proxy, t.ex. /policybot (POLICYBOT_ROOT_PATH)",
    )

    _command(
        sub,
        "status",
        "visa antal dokument, avsnitt och senaste indexering (läser bara, skapar inget)",
        "policybot status",
        cmd_status,
    )

    _add_eval(sub)
    p = _command(
        sub,
        "feedback",
        "hantera användarnas omdömen",
        "policybot feedback export omdomen.csv",
        cmd_feedback_export,
    )
    fsub = p.add_subparsers(dest="feedback_command", title="åtgärder", metavar="ÅTGÄRD")
    fsub.required = True
    e = _command(
        fsub,
        "export",
        "exportera omdömen till CSV",
        "policybot feedback export omdomen.csv",
        cmd_feedback_export,
    )
    e.add_argument("out", metavar="UT.csv", help="CSV-filen som skrivs")
    _add_gaps(sub)
    _add_register(sub)
    return parser


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ogiltigt datum: {value!r} (skriv ÅÅÅÅ-MM-DD, t.ex. 2026-11-01)"
        ) from None


def _positive_days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"ogiltigt antal dagar: {value!r} (ett heltal, minst 1)")
    return int(value)


def _add_gaps(sub) -> None:
    p = _command(
        sub,
        "gaps",
        "visa frågor som dokumenten inte besvarar, grupperade efter närmaste avsnitt",
        "policybot gaps --days 30 --csv obesvarade.csv",
        cmd_gaps,
    )
    p.epilog += (
        "\n\nRäknar chattens obesvarade frågor (”Det framgår inte av dokumenten”) och svar som\n"
        "fått tumme ned. Personuppgifter i frågorna är maskerade."
    )
    period = p.add_mutually_exclusive_group()
    period.add_argument(
        "--since", type=_iso_date, metavar="ÅÅÅÅ-MM-DD", help="från och med detta datum"
    )
    period.add_argument("--days", type=_positive_days, metavar="N", help="de senaste N dagarna")
    p.add_argument("--csv", metavar="UT.csv", help="skriv också frågorna till en CSV-fil")


def _add_register(sub) -> None:
    p = _command(
        sub,
        "register",
        "visa kommunens medlemskap, nätverk, avtal och vänorter, varje uppgift med källa",
        "policybot register --csv medlemskap.csv",
        cmd_register,
    )
    p.epilog += (
        "\n\nRaderna hittas i dokumentens rubriker och listor, uppgifterna (sedan, status, syfte,\n"
        "medlemmar, roll) genom att chatten frågas om varje rad. En uppgift som dokumenten inte\n"
        "ger lämnas tom. Registret sparas vid indexet och byggs om efter varje indexering som\n"
        "ändrar dokumenten."
    )
    p.add_argument("--csv", metavar="UT.csv", help="skriv också registret till en CSV-fil")
    p.add_argument(
        "--json", dest="json_out", metavar="UT.json", help="skriv också registret som JSON"
    )
    p.add_argument(
        "--rebuild", action="store_true", help="bygg om registret även om indexet är oförändrat"
    )


def _add_ask(sub) -> None:
    p = _command(
        sub,
        "ask",
        "ställ en fråga och få svar med numrerade källor",
        'policybot ask "Vilka vänorter har Luleå?"',
        cmd_ask,
    )
    p.add_argument("question", nargs="?", metavar="FRÅGA", help="frågan, inom citattecken")
    p.add_argument("--json", action="store_true", help="skriv svaret som ett JSON-objekt")
    p.add_argument(
        "--explain",
        action="store_true",
        help="visa varje steg: hämtade avsnitt med dense-, BM25- och samlad poäng, "
        "kandidatmeningar med egenskaper och poäng, och beslutet (för förvaltare)",
    )
    p.add_argument(
        "--jsonl",
        action="store_true",
        help='läs JSON-rader {"question": ..., "history": [...]} från stdin',
    )
    p.add_argument(
        "--history",
        action="append",
        metavar="FRÅGA",
        help="en tidigare fråga i samma samtal (kan upprepas)",
    )


def _add_eval(sub) -> None:
    p = _command(
        sub,
        "eval",
        "kör utvärderingen och jämför med en baslinje",
        "policybot eval --baseline evals/baseline.json --report rapport.html",
        cmd_eval,
    )
    p.add_argument(
        "files",
        nargs="*",
        metavar="SÖKVÄG",
        help="YAML-filer, mappar med dem, eller utvärderingsmängder med egna dokument "
        "(mapp med questions.yaml; dokumenten i dess corpus/ eller i "
        "../shared/evals-corpora/MÄNGD/corpus/) (standard: evals/sets/)",
    )
    p.add_argument("--json", dest="json_out", metavar="UT.json", help="skriv resultatet som JSON")
    p.add_argument(
        "--no-text",
        action="store_true",
        help="skriv JSON utan svarens och citatens text (baslinjer över dokument som inte "
        "checkas in, t.ex. evals/external/baseline.json)",
    )
    p.add_argument(
        "--report", metavar="UT.html|UT.md", help="skriv en rapport (HTML eller Markdown)"
    )
    p.add_argument("--baseline", metavar="FÖRRA.json", help="jämför med ett tidigare resultat")
    p.add_argument(
        "--fail-under",
        type=float,
        metavar="PROCENT",
        help="avsluta med kod 1 om andelen godkända är lägre",
    )
    p.add_argument(
        "--register",
        nargs="+",
        metavar="FACIT.yaml",
        help="utvärdera registret över medlemskap mot facitregister (filer eller mappar, t.ex. "
        "evals/register/): andel hittade rader, rader utöver facit och rätta celler; med "
        "--baseline avslutas med kod 1 om något mått sjunker",
    )
    p.add_argument(
        "--answerer",
        metavar="NAMN",
        help="svara med en annan svarsleverantör än POLICYBOT_ANSWERER, t.ex. "
        "openai:<modell> mot POLICYBOT_OPENAI_BASE_URL; rapporten visar då hur svaren skrevs, "
        "hur ofta grinden strök meningar och tiden till första text",
    )
    p.add_argument(
        "--allow-regressions",
        action="store_true",
        help="avsluta inte med kod 1 när enskilda frågor försämrats",
    )
    p.add_argument(
        "--switches",
        action="store_true",
        help="ämnesbyten: ställ varje fråga direkt efter en fråga om andra dokument i samma "
        "fil, som när en invånare byter ämne mitt i samtalet; svaret ska bli detsamma som "
        "när frågan ställs ensam (id:n får tillägget ~byte), t.ex. policybot eval --switches",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
    settings = Settings(**overrides)
    from ingest.lock import IngestBusy
    from ingest.store import StoreUnavailable

    try:
        return args.func(args, settings)
    except (StoreUnavailable, IngestBusy) as exc:  # said plainly, without a traceback
        _print_err(f"Fel: {exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
