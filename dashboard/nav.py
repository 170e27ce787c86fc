"""Page files, relative to the entry point (dashboard/app.py), for navigation and links."""

from pathlib import PurePosixPath

OVERVIEW = "../pages/overview.py"
DISTRICT = "../pages/district.py"
METHODS = "../pages/methods.py"
DATA = "../pages/data.py"
SCENARIO_LAB = "../pages/scenario_lab.py"
SCENARIOS = "../pages/scenarios.py"
COMPARE = "../pages/compare.py"
ENERGY_MODEL = "../pages/energy_model.py"
EQUITY = "../pages/equity.py"

#: The menu: section -> (page, title), in the order the sidebar lists them. The first page is
#: the default one, served at the app's root. Adding a page is a file in pages/ and a line here.
MENU: dict[str, tuple[tuple[str, str], ...]] = {
    "Explore": ((OVERVIEW, "Overview map"), (DISTRICT, "District profile")),
    "Models": ((ENERGY_MODEL, "Energy model"), (EQUITY, "Equity")),
    "Plan": ((SCENARIO_LAB, "Scenario lab"), (SCENARIOS, "Saved scenarios"),
             (COMPARE, "Compare scenarios")),
    "Your data": ((DATA, "Data"),),
    "About": ((METHODS, "Methods & sources"),),
}

ALL = tuple(page for entries in MENU.values() for page, _ in entries)  # menu order


def url_path(page: str) -> str:
    """The URL path st.navigation serves ``page`` at, below the app's root: the file name
    without ``.py``; the overview, the default page in app.py, is the root itself ("")."""
    return "" if page == OVERVIEW else PurePosixPath(page).stem
