"""Page files, relative to the entry point (dashboard/app.py), for navigation and links."""

from pathlib import PurePosixPath

OVERVIEW = "../pages/overview.py"
DISTRICT = "../pages/district.py"
METHODS = "../pages/methods.py"
DATA = "../pages/data.py"
SCENARIO_LAB = "../pages/scenario_lab.py"
ENERGY_MODEL = "../pages/energy_model.py"
EQUITY = "../pages/equity.py"

ALL = (OVERVIEW, DISTRICT, ENERGY_MODEL, EQUITY, SCENARIO_LAB, DATA, METHODS)  # menu order


def url_path(page: str) -> str:
    """The URL path st.navigation serves ``page`` at, below the app's root: the file name
    without ``.py``; the overview, the default page in app.py, is the root itself ("")."""
    return "" if page == OVERVIEW else PurePosixPath(page).stem
