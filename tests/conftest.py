"""Fixtures shared by the tests: small exact cities, and chromium for the browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import settings
from shapely.geometry import box

from core.intake.city import City, load_city
from core.settings import get_settings
from tools.devserver import CHROMIUM, ROOT, chromium, running_app

# CI replays the same examples every run (a failure there is reproducible); locally,
# hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _session_store(tmp_path_factory) -> Iterator[Path]:
    """The store (GREENPRINT_DATA_DIR) of fixtures wider than a test (an app opened once
    per module): a temporary folder, never the repository's."""
    folder = tmp_path_factory.mktemp("greenprint-data-session")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GREENPRINT_DATA_DIR", str(folder))
        patch.delenv("GREENPRINT_DATABASE_URL", raising=False)
        get_settings.cache_clear()
        yield folder
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _own_store(_session_store, tmp_path_factory, monkeypatch) -> Iterator[Path]:
    """Every test's store (GREENPRINT_DATA_DIR) is a fresh folder of its own, never the
    repository's: the app, the CLI and a dev server started by the test all use it."""
    folder = tmp_path_factory.mktemp("greenprint-data")
    monkeypatch.setenv("GREENPRINT_DATA_DIR", str(folder))
    monkeypatch.delenv("GREENPRINT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def square_grid(n_side: int = 2, size: float = 0.01, x0: float = -87.7, y0: float = 41.8):
    """n_side x n_side lon/lat squares with ids "1".."n" (a gap-free tessellation)."""
    cells = [box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
             for j in range(n_side) for i in range(n_side)]
    ids = [str(k + 1) for k in range(len(cells))]
    return gpd.GeoDataFrame({"district_id": ids, "name": [f"Area {i}" for i in ids]},
                            geometry=cells, crs="EPSG:4326")


@pytest.fixture
def grid4() -> gpd.GeoDataFrame:
    return square_grid(2)


@pytest.fixture
def attrs4() -> pd.DataFrame:
    return pd.DataFrame({
        "district_id": ["1", "2", "3", "4"],
        "population": [1000, 2000, 3000, 4000],
        "households": [400, 800, 1200, 1600],
        "renter_share": [0.1, 0.5, 0.6, 0.9],
        "floor_area_m2": [50_000.0, 80_000.0, 90_000.0, 120_000.0],
        "electricity_kwh": [2e6, 3e6, 4e6, 5e6],
        "gas_kwh": [4e6, 5e6, 6e6, 8e6],
    })


@pytest.fixture
def city4(grid4, attrs4) -> City:
    """The 4-district city with what the optimizer needs (housing, income, poverty, roofs)."""
    a = attrs4.assign(housing_units=[450, 850, 1300, 1700],
                      median_household_income=[90_000, 60_000, 30_000, 20_000],
                      poverty_rate=[0.05, 0.1, 0.3, 0.4], roof_area_m2=[5e3, 6e3, 7e3, 8e3])
    return load_city(grid4, a)


# ------------------------------------------------------------------ browser tests


@pytest.fixture
def app_url() -> Iterator[str]:
    """The URL of a fresh app server on a free local port, stopped after the test."""
    with running_app() as (url, _proc, _seconds):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium under Playwright, launched once per test session."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium")
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser):
    """Make a page in a fresh browser context (its own cookies and storage), ``width`` x
    ``height`` CSS pixels; other keywords go to ``browser.new_context``. All are closed
    after the test."""
    contexts = []

    def make(width: int = 1400, height: int = 1250, **context_options):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      **context_options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Folder for the browser tests' screenshots: $GREENPRINT_SCREENSHOTS, else test-artifacts/."""
    folder = Path(os.environ.get("GREENPRINT_SCREENSHOTS", ROOT / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
