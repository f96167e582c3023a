"""The policybot command line: ingest, ask, serve, eval and feedback export."""

from __future__ import annotations

import argparse
import json
import sys
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

    if args.workers is not None and args.workers < 1:
        _print_err("Fel: --workers ska vara minst 1")
        return EXIT_USAGE
    try:
        report = ingest(
            settings,
            Path(args.corpus) if args.corpus else None,
            progress=not args.quiet,
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
    print(
        f"{report.summary()} ({report.documents} dokument, {report.chunks} avsnitt, "
        f"{report.embedded} texter inbäddade, {report.cache_hits} från cachen, "
        f"{report.seconds:.1f} s)"
    )
    return EXIT_FAILED if report.errors else EXIT_OK


def _load_bot(settings: Settings):
    from bot.service import PolicyBot

    return PolicyBot.from_settings(settings, progress=sys.stderr.isatty())


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
        bot = _load_bot(settings)
    except CorpusError as exc:
        _print_err(f"Fel: {exc}")
        return EXIT_USAGE
    answer = bot.ask(args.question, args.history or [])
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return EXIT_OK


def _ask_jsonl(settings: Settings) -> int:
    """One JSON object per input line; a bad line gets {"error": ...} and the rest go on."""
    from bot.service import QuestionError

    bot = _load_bot(settings)  # models load once for the whole stream
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
    status = _load_bot(settings).status()
    print(
        f"{status['documents']} dokument, {status['chunks']} avsnitt, "
        f"senast indexerat {format_local(status['last_ingest'])}"
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.server import serve

    return serve(settings, host=args.host, port=args.port)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from evals.command import main as eval_main

    return eval_main(args, settings)


def cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import FeedbackStore

    n = FeedbackStore(settings.data_dir / "feedback.sqlite").export_csv(Path(args.out))
    print(f"{n} svar exporterade till {args.out}")
    return EXIT_OK


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
        "Hjälp för ett kommando: policybot KOMMANDO --hjälp",
    )
    parser.add_argument(
        "--data-dir", metavar="MAPP", help="mapp för index och feedback (POLICYBOT_DATA_DIR)"
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

    _command(
        sub,
        "status",
        "visa antal dokument, avsnitt och senaste indexering",
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
    return parser


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
        help="YAML-filer, mappar med dem, eller utvärderingsmängder med egen korpus "
        "(mapp med questions.yaml och corpus/) (standard: evals/sets/)",
    )
    p.add_argument("--json", dest="json_out", metavar="UT.json", help="skriv resultatet som JSON")
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
        "--allow-regressions",
        action="store_true",
        help="avsluta inte med kod 1 när enskilda frågor försämrats",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
    settings = Settings(**overrides)
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
