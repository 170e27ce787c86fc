"""Page files, relative to the entry point (dashboard/app.py), for navigation and links."""

OVERVIEW = "../pages/overview.py"
DISTRICT = "../pages/district.py"
METHODS = "../pages/methods.py"
DATA = "../pages/data.py"
SCENARIO_LAB = "../pages/scenario_lab.py"
ENERGY_MODEL = "../pages/energy_model.py"
EQUITY = "../pages/equity.py"
