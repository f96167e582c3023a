"""The page around the app: Swedish for every browser, a theme with enough contrast, security
headers on every response (nothing may load from other hosts or frame the page), and no routes
the chat does not need (uploads, fetching other hosts' files)."""

from __future__ import annotations

import re
from pathlib import Path

import gradio as gr

STATIC = Path(__file__).parent / "static"
CSS_FILE = STATIC / "policybot.css"

# Gradio picks the language of its own labels (tooltips, notices, "Loading…") from the browser.
# This runs before Gradio's scripts, so those labels are Swedish for everyone and <html lang>
# is "sv" (screen readers then read the page with a Swedish voice).
PAGE_SCRIPT = (
    "<script>(function(){try{var p=Navigator.prototype;"
    "Object.defineProperty(p,'language',{get:function(){return 'sv-SE'},configurable:true});"
    "Object.defineProperty(p,'languages',{get:function(){return ['sv-SE','sv']},"
    "configurable:true});}catch(e){}document.documentElement.lang='sv';})();</script>"
)

# A second line of defence after escaping: the page may only load images, fonts, scripts and
# data from this server. Gradio itself needs inline scripts/styles and eval (its HTML templates).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]
_REPLACED = {b"content-length"} | {name for name, _ in SECURITY_HEADERS}

# Gradio routes the chat never uses, refused before Gradio sees them: uploads (the page has no
# file input; anyone could otherwise store files in the temp dir) and /file=<http URL>, which
# would make the server fetch other hosts' files for anyone.
_UPLOAD = re.compile(r"(^|/)(gradio_api/)?upload/?$")
_REMOTE_FILE = re.compile(r"/file=\s*(https?:|//|[a-z][a-z0-9+.-]*://)", re.IGNORECASE)


def script(name: str) -> str:
    """A script from static/ for a component's js_on_load (kept out of Python strings)."""
    return (STATIC / name).read_text(encoding="utf-8")


def make_theme() -> gr.themes.Base:
    """System fonts only (nothing from Google Fonts); text colours that pass WCAG AA (4.5:1)."""
    theme = gr.themes.Default(
        primary_hue="blue",
        font=[gr.themes.Font("system-ui"), gr.themes.Font("Segoe UI"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("Consolas"), "monospace"],
    )
    # Gradio's default greys and its blue-500 buttons fall short of 4.5:1 on white.
    return theme.set(
        body_text_color_subdued="#4b5563",
        block_label_text_color="#374151",
        block_info_text_color="#4b5563",
        input_placeholder_color="#6b7280",
        button_primary_background_fill="#1d4ed8",
        button_primary_background_fill_hover="#1e40af",
        button_primary_text_color="#ffffff",
        button_secondary_text_color="#111827",
    )


def _with_headers(start: dict, body: bytes | None = None) -> dict:
    """The response start with our security headers; ``body`` given: its new length too."""
    drop = _REPLACED if body is not None else _REPLACED - {b"content-length"}
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in drop]
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    return {**start, "headers": headers + SECURITY_HEADERS}


def refused(path: str) -> bool:
    """A route the chat does not use and nobody else may (see _UPLOAD, _REMOTE_FILE)."""
    return bool(_UPLOAD.search(path) or _REMOTE_FILE.search(path))


async def _refuse(send) -> None:
    body = "Åtkomst nekad.".encode()
    start = {
        "type": "http.response.start",
        "status": 403,
        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
    }
    await send(_with_headers(start, body))
    await send({"type": "http.response.body", "body": body, "more_body": False})


class SwedishPage:
    """ASGI middleware: security headers on every response, PAGE_SCRIPT in every HTML page,
    and a 403 for the routes ``refused`` names."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if refused(scope.get("path", "")):
            await _refuse(send)
            return
        start: dict | None = None
        passthrough = False
        chunks: list[bytes] = []

        async def send_wrapper(message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                is_html = b"text/html" in headers.get(b"content-type", b"")
                passthrough = not is_html or b"content-encoding" in headers
                if passthrough:
                    await send(_with_headers(message))
                else:
                    start = message
                return
            if passthrough or start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if b"<head>" in body:
                body = body.replace(b"<head>", b"<head>" + PAGE_SCRIPT.encode(), 1)
            await send(_with_headers(start, body))
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, send_wrapper)
