"""Every page and every CLI command on any column subset: it works, or says precisely why not.

The subsets run from the minimum a city can have (id, population and one energy column;
names come from the boundaries) up to the bundled city's full table, and include the
shapes real public tables have (per-capita income without households; districts without a
row; the 801-tract shape of tests/tract_shape.py; a city with its own reference values and
currency). For each: every page in AppTest shows no exception element, no error id (a
failure the page guard caught), no traceback and no "nan"/"None" in a headline figure;
every CLI command exits with a documented code (0 ok, 1 blocking problems in the data, 2
input it cannot use, e.g. a column an analysis needs is absent; never 3, an internal
error), names the column that would unlock what it refused, and prints no traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.intake import reference_values
from core.intake.city import City, validate_city
from dashboard import nav
from tests import tract_shape
from tests.test_no_traceback import shown_text
from tools.apptest import open_app

MONTHLY = [c for c in pd.read_csv(paths.DEFAULT_ATTRIBUTES, nrows=0).columns if c[-3] == "_"
           and c[-2:].isdigit()]
SUBSETS: dict[str, list[str]] = {
    "minimum-electricity": ["population", "electricity_kwh"],
    "minimum-gas": ["population", "gas_kwh"],
    "energy-and-floor-area": ["population", "electricity_kwh", "gas_kwh", "floor_area_m2"],
    "per-capita-income": ["population", "electricity_kwh", "gas_kwh", "per_capita_income"],
    "income-no-energy-split": ["population", "electricity_kwh", "gas_kwh", "per_capita_income",
                               "poverty_rate", "renter_share"],
    "full": [c for c in pd.read_csv(paths.DEFAULT_ATTRIBUTES, nrows=0).columns
             if c != "district_id"],
}
#: a table with a few districts without a row and one without population
ROWS_MISSING = ("rows-missing", ["population", "electricity_kwh", "gas_kwh", "floor_area_m2"])
UK_REFERENCES = paths.DATA_DIR / "examples" / "references_uk.csv"
OK, PROBLEMS, UNREADABLE = 0, 1, 2
BAD_FIGURES = ("nan", "None", "inf")


def attributes(columns: list[str], drop_rows: int = 0) -> pd.DataFrame:
    """The bundled city's attribute table cut to ``columns`` (and without its last rows)."""
    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES, dtype={"district_id": str})
    table = table[["district_id", *columns]]
    if drop_rows:
        table = table.iloc[:-drop_rows].copy()
        table.loc[table.index[0], "population"] = None
    return table


@dataclass(frozen=True)
class Case:
    """A city as a user brings it: its table, and any options every door needs."""

    name: str
    table: pd.DataFrame | None = None  # a cut of the bundled table (None: the tract shape)
    references: bool = False  # the UK reference values (GBP, DESNZ factors)

    def city(self) -> City:
        if self.table is None:
            return replace(tract_shape.city(), name=f"matrix {self.name}")
        refs = reference_values.read(UK_REFERENCES) if self.references else None
        validation = validate_city(paths.DEFAULT_BOUNDARIES, self.table, name=f"matrix {self.name}",
                                   references=refs)
        assert validation.usable, [p.message for p in validation.blocking]
        return validation.city

    def cli_args(self, folder: Path) -> list[str]:
        if self.table is None:
            return tract_shape.cli_args(folder / self.name)
        path = folder / f"{self.name}.csv"
        self.table.to_csv(path, index=False)
        refs = ["--references", str(UK_REFERENCES)] if self.references else []
        return [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(path), *refs]


CASES = [Case(name, attributes(columns)) for name, columns in SUBSETS.items()] + [
    Case(ROWS_MISSING[0], attributes(ROWS_MISSING[1], drop_rows=4)),
    Case("uk-references", attributes(SUBSETS["per-capita-income"]), references=True),
    Case("tract-shape-801"),
]
NAMES = [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_page_works_or_says_why(case):
    at = open_app(city=case.city())
    for page in nav.ALL:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        errors = [e.value for e in at.error if "error id" in e.value]
        assert not errors, (page, errors)
        text = shown_text(at)
        assert "Traceback" not in text, page
        figures = [str(m.value) for m in at.metric]
        assert not [f for f in figures if f.strip() in BAD_FIGURES or f.startswith("nan ")], \
            (page, figures)
        if case.references:
            assert "USD" not in " ".join(figures), (page, figures)


runner = CliRunner()


def _scenario() -> str:
    return str(paths.ROOT / "data" / "scenarios" / "business_as_usual.json")


COMMANDS = {
    "validate": [],
    "summary": [],
    "evaluate": ["--folds", "3", "--members", "5"],
    "optimize": ["--scenario", _scenario()],
    "sweep": ["--scenario", _scenario(), "--vary", "budget_usd_per_capita=10:100:3"],
}


@pytest.fixture(scope="module")
def city_args(tmp_path_factory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("matrix")
    return {case.name: case.cli_args(folder) for case in CASES}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", NAMES)
def test_every_command_exits_with_a_documented_code(command, name, city_args):
    r = runner.invoke(app, [command, *city_args[name], *COMMANDS[command], "--json"])
    assert r.exception is None or isinstance(r.exception, SystemExit), (r.exception, r.output)
    assert r.exit_code in (OK, PROBLEMS, UNREADABLE), r.output
    assert "Traceback" not in r.output
    out = json.loads(r.stdout)
    if r.exit_code != OK:  # it says what is missing, by column
        message = json.dumps(out)
        assert any(word in message for word in ("needs", "lacks", "column", "map")), message


@pytest.mark.parametrize("name", NAMES)
def test_train_and_predict_on_every_subset(name, city_args, tmp_path):
    city = city_args[name]
    r = runner.invoke(app, ["train", *city, "--out", str(tmp_path / "m"), "--folds", "0",
                            "--members", "5", "--json"])
    assert r.exception is None or isinstance(r.exception, SystemExit), (r.exception, r.output)
    assert r.exit_code in (OK, PROBLEMS, UNREADABLE), r.output
    if r.exit_code == OK:
        p = runner.invoke(app, ["predict", *city, "--model", str(tmp_path / "m"), "--json"])
        assert p.exit_code == OK and "Traceback" not in p.output, p.output
