"""Starting the web chat: ``launch`` for tests, ``serve`` for ``policybot serve``."""

from __future__ import annotations

import logging
import sys
import time

import gradio as gr
from starlette.middleware import Middleware

from bot.web import page
from bot.web.app import build_app
from config.settings import Settings

log = logging.getLogger(__name__)

WARMUP_QUESTION = "Vad handlar dokumenten om?"


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860) -> str:
    """Start the server in a background thread and return its local URL.

    System-font theme, our CSS, no footer, no server-side rendering, no MCP, no run history.
    ``demo.close()`` stops it.
    """
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        share=False,
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
    try:  # so the first user is not slower
        bot.ask(WARMUP_QUESTION, [])
    except Exception:  # never stop the server for this
        log.warning("Warm-up question failed", exc_info=True)
    return bot


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> int:
    """``policybot serve``: load (and if needed ingest), start the web chat, block until Ctrl+C."""
    started = time.perf_counter()
    print(f"Startar policybot (data i {settings.data_dir}) …", file=sys.stderr, flush=True)
    bot = _load_bot(settings)
    if bot is None:
        return 2
    demo = build_app(bot, settings)
    try:
        url = launch(demo, host=host, port=port)
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
    try:
        while demo.is_running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("Avslutar …", file=sys.stderr)
    finally:
        demo.close()
    return 0
