"""The web chat: app.py (Gradio wiring), chat.py and sources (handlers), render.py with
templates/ (HTML), markup.py (text structure), page.py and static/ (theme, CSS, scripts),
site.py (identity) and server.py (``policybot serve``)."""
