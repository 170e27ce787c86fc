"""The colours every chart shares (the figures themselves live beside their page)."""

from __future__ import annotations

ACCENT = "#d9480f"
MUTED = "#31688e"
