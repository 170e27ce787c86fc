"""No traceback on any screen: a failure on any page shows an error id, logged with the details."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import paths
from dashboard import keys, nav
from tests.fault_app import LEAKS, SECRET, fail
from tools.apptest import open_app

ROOT = Path(__file__).resolve().parent.parent


def shown_text(at: AppTest) -> str:
    """Everything the app sent to the browser in this run, as text (all element protos)."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return "\n".join(out)


def test_every_navigation_page_is_covered():
    pages = {value for name, value in vars(nav).items()
             if name.isupper() and isinstance(value, str) and value.endswith(".py")}
    assert set(nav.ALL) == pages and len(nav.ALL) == len(set(nav.ALL))
    on_disk = {p.name for p in (paths.ROOT / "pages").glob("*.py")}
    assert {Path(page).name for page in nav.ALL} == on_disk  # every page file is in the menu


@pytest.mark.parametrize("page", nav.ALL)
def test_a_failure_in_any_page_shows_an_error_id_and_no_traceback(page, monkeypatch, caplog):
    at = open_app()
    at.switch_page(page)
    monkeypatch.setattr(st, "title", fail)  # every page starts with its title
    with caplog.at_level(logging.ERROR, logger="greenprint"):
        at.run()
    assert not at.exception
    (error,) = [e.value for e in at.error if "error id" in e.value]
    error_id = re.search(r"error id (\w+)", error).group(1)
    text = shown_text(at)
    assert not [leak for leak in LEAKS if leak in text]
    assert error_id in caplog.text and SECRET in caplog.text  # the details are in the log
    # the sidebar and the navigation still work: the user can leave the page
    assert at.sidebar.slider(key=keys.LAB_BUDGET).value is not None


def test_a_failing_callback_shows_an_error_id(monkeypatch, caplog):
    from dashboard.data import upload

    at = open_app(nav.DATA)
    monkeypatch.setattr(upload, "back_to_default", fail)  # before the page binds the callback
    at.session_state[keys.CITY_KEY] = "uploaded"  # shows the "Back to the default city" button
    at.run()
    at.button(key=keys.DATA_RESET).click()
    with caplog.at_level(logging.ERROR, logger="greenprint"):
        at.run()
    assert not at.exception
    assert any("error id" in e.value for e in at.error)
    assert not [leak for leak in LEAKS if leak in shown_text(at)]


def test_streamlit_is_configured_to_hide_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
