"""Starting the web chat: ``launch`` for tests, ``serve`` for ``policybot serve``."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import gradio as gr
from pydantic import SecretStr
from starlette.middleware import Middleware

from bot.web import page
from bot.web.app import build_app
from config.settings import Settings

log = logging.getLogger(__name__)

WARMUP_QUESTION = "Vad handlar dokumenten om?"


AUTH_MESSAGE = "Logga in för att använda chatten."


class AuthError(ValueError):
    """A login setting that is not USER:PASSWORD (the message never shows the password)."""


def parse_auth(secret: SecretStr | str | None) -> tuple[str, str] | None:
    """``USER:PASSWORD`` as (user, password); None when no login is set."""
    if secret is None:
        return None
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise AuthError(
            "Fel: inloggningen ska anges som ANVÄNDARE:LÖSENORD (--auth eller POLICYBOT_AUTH)."
        )
    return user.strip(), password


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    auth: tuple[str, str] | None = None,
    root_path: str = "",
    blocked_paths: list[Path] | None = None,
) -> str:
    """Start the server in a background thread and return its local URL.

    Never a share link. System-font theme, our CSS, no footer, no server-side rendering, no
    MCP, no run history. ``auth`` asks for that login on the page and the API; ``root_path``
    is the URL path behind a reverse proxy; nothing under ``blocked_paths`` is ever served.
    ``demo.close()`` stops it.
    """
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        share=False,
        auth=auth,
        auth_message=AUTH_MESSAGE if auth else None,
        root_path=root_path or None,
        blocked_paths=[str(p) for p in blocked_paths or []],
        inbrowser=False,
        show_error=False,
        footer_links=[],
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        run_history=False,
        theme=page.make_theme(),
        css_paths=[page.CSS_FILE],
        app_kwargs={"middleware": [Middleware(page.SwedishPage)]},
    )
    return demo.local_url or f"http://{host}:{port}/"


def _load_bot(settings: Settings):
    """The bot, warmed up (model session, corpus snapshot, caches); None if no corpus."""
    from bot.service import PolicyBot
    from ingest.indexer import CorpusError

    try:
        bot = PolicyBot.from_settings(settings, progress=sys.stderr.isatty())
    except CorpusError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return None
    if getattr(bot, "ingest_report", None) is not None:
        print(f"Korpusen indexerades: {bot.ingest_report.summary()}", file=sys.stderr, flush=True)
    warning = bot.answerer_warning() if hasattr(bot, "answerer_warning") else None
    if warning:
        print(warning, file=sys.stderr, flush=True)
    try:  # so the first user is not slower
        bot.ask(WARMUP_QUESTION, [])
    except Exception:  # never stop the server for this
        log.warning("Warm-up question failed", exc_info=True)
    _ensure_register(bot)
    return bot


def _ensure_register(bot) -> None:
    """Build the register once if the index has none (or an outdated one), so the Källor
    tab opens it at once; `policybot ingest` rebuilds it after each change."""
    from bot.register_build import rebuild_register, stored
    from bot.register_store import RegisterFileError

    try:
        if stored(bot.settings) is None:
            print("Bygger registret över medlemskap och vänorter …", file=sys.stderr, flush=True)
            rebuild_register(bot)
    except (RegisterFileError, OSError):  # the page shows the reason; the chat still works
        log.warning("The register could not be built", exc_info=True)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> int:
    """``policybot serve``: load (and if needed ingest), start the web chat, block until Ctrl+C."""
    started = time.perf_counter()
    try:
        auth = parse_auth(settings.auth)
    except AuthError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Startar policybot (data i {settings.data_dir}) …", file=sys.stderr, flush=True)
    bot = _load_bot(settings)
    if bot is None:
        return 2
    demo = build_app(bot, settings)
    try:
        url = launch(
            demo,
            host=host,
            port=port,
            auth=auth,
            root_path=settings.root_path,
            blocked_paths=[settings.data_dir.resolve()],
        )
    except OSError as exc:
        log.debug("launch failed", exc_info=exc)
        print(
            f"Fel: kunde inte starta webbservern på {host}:{port}. Porten kan vara upptagen; "
            "välj en annan med --port.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Policybot körs på {url} (startade på {time.perf_counter() - started:.1f} s). "
        "Avsluta med Ctrl+C.",
        flush=True,
    )
    if auth:
        print(f"Inloggning krävs (användare {auth[0]}).", file=sys.stderr, flush=True)
    try:
        while demo.is_running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("Avslutar …", file=sys.stderr)
    finally:
        demo.close()
    return 0
