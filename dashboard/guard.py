"""No traceback on any screen: a failure shows a short message and an error id.

The full traceback goes to the server log under the same id, so an administrator can
find it from the id a user reports. Streamlit's own control flow (``st.stop``,
``st.rerun``, ``st.switch_page``) passes through untouched. ``client.showErrorDetails``
in .streamlit/config.toml is ``"none"`` as a second line of defence.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from core.i18n import N_, _
from dashboard import state

log = logging.getLogger("greenprint")
if not log.handlers:  # Streamlit's own loggers do not cover ours
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

MESSAGE = (N_("Something went wrong on this page (error id {error_id}). Your data and settings "
           "are unchanged, and the other pages still work. If it happens again, report the "
           "error id to the administrator: the details are in the server log under it."))


def new_error_id() -> str:
    return uuid.uuid4().hex[:10]


def logged(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new error id; return the id."""
    error_id = new_error_id()
    log.error("error id %s in %s", error_id, where, exc_info=exc)
    return error_id


def run_page(run: Callable[[], None], where: str) -> None:
    """Run a page body; any failure becomes a message with an error id."""
    try:
        run()
    except ScriptControlException:
        raise
    except Exception as exc:
        st.error(_(MESSAGE).format(error_id=logged(exc, where)))


def callback(fn: Callable) -> Callable:
    """Wrap a widget callback: a failure is logged and shown on the next run of the page."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ScriptControlException:
            raise
        except Exception as exc:
            state.record_callback_error(logged(exc, fn.__qualname__))
    return wrapper


def show_callback_error() -> None:
    """Show (once) the error of a callback that failed before this run."""
    if error_id := state.pop_callback_error():
        st.error(_(MESSAGE).format(error_id=error_id))
