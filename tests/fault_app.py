"""The app with a fault injected into every page (a test entry point, never served).

Every page starts with ``st.title``; here it raises, as an unforeseen bug would, with a
server path in its message. Pages resolve from this folder as from dashboard/ (both sit
at the repository root), so navigation is the app's own.
"""

import runpy
from pathlib import Path

import streamlit as st

SECRET = "/srv/greenprint/private/settings.py"


def _fail(*args, **kwargs):
    raise RuntimeError(f"failed while reading {SECRET}")


if __name__ == "__main__":  # as Streamlit runs it; importing this module changes nothing
    st.title = _fail
    runpy.run_path(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"))
