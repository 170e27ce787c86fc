"""Page files, relative to the entry point (dashboard/app.py), for navigation and links."""

from pathlib import PurePosixPath

from core import i18n

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
    i18n.N_("Explore"): ((OVERVIEW, i18n.N_("Overview map")),
                         (DISTRICT, i18n.N_("District profile"))),
    i18n.N_("Models"): ((ENERGY_MODEL, i18n.N_("Energy model")), (EQUITY, i18n.N_("Equity"))),
    i18n.N_("Plan"): ((SCENARIO_LAB, i18n.N_("Scenario lab")),
                      (SCENARIOS, i18n.N_("Saved scenarios")),
             (COMPARE, i18n.N_("Compare scenarios"))),
    i18n.N_("Your data"): ((DATA, i18n.N_("Data")),),
    i18n.N_("About"): ((METHODS, i18n.N_("Methods & sources")),),
}

ALL = tuple(page for entries in MENU.values() for page, _ in entries)  # menu order


def url_path(page: str) -> str:
    """The URL path st.navigation serves ``page`` at, below the app's root: the file name
    without ``.py``; the overview, the default page in app.py, is the root itself ("")."""
    return "" if page == OVERVIEW else PurePosixPath(page).stem
