"""The app with a fault injected into every page: the entry point that
tests/test_browser_errors.py serves (a test helper, never served to users). The fault and
what must never reach the screen are shared with tests/test_no_traceback.py.

Every page starts with ``st.title``; here it raises, as an unforeseen bug would, with a
server path in its message. Pages resolve from this folder as from dashboard/ (both sit
at the repository root), so navigation is the app's own.
"""

import runpy
from pathlib import Path

import streamlit as st

SECRET = "/srv/greenprint/private/settings.py"
LEAKS = ("Traceback", SECRET, "RuntimeError", 'File "')  # none may reach the screen


def fail(*args, **kwargs):
    """The injected fault: raises, naming a server path."""
    raise RuntimeError(f"failed while reading {SECRET}")


if __name__ == "__main__":  # as Streamlit runs it; importing this module changes nothing
    st.title = fail
    runpy.run_path(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"))
