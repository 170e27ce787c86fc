"""What every command shares: the city options, loading the city, exit codes, clean failures.

Command modules import this module only; :mod:`core.cli` builds the app from them.
Exit codes: 0 usable/ok, 1 blocking problems in the data, 2 input that cannot be
read, 3 an internal error (printed with an error id, never a traceback).

Start-up: ``python -m core --help`` imports every command module, so they import only
typer, the standard library, :mod:`core.errors` and this module at the top; each
command imports what it computes with (pandas, geopandas, torch, scipy, the store's
database, the briefing's renderer) inside its functions, when it runs
(tests/test_cli_startup.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import CityValidationError, InputError

if TYPE_CHECKING:
    from core.intake.city import City
    from core.intake.mapping import ColumnMapping
    from core.intake.reference_values import ReferenceValues

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3

# Shared city arguments, the same for every command.
Boundaries = Annotated[Path, typer.Argument(help="District polygons: GeoJSON, GeoPackage, "
                                            "zipped Shapefile or GeoParquet.")]
Attributes = Annotated[Path | None, typer.Option("--attributes", "-a",
                                                 help="Attribute table: CSV, XLSX or Parquet.")]
IdColumn = Annotated[str | None, typer.Option("--id-column", help="Id column in the boundaries "
                                              "(default: the mapping file's, else district_id).")]
AttributesId = Annotated[str | None, typer.Option("--attributes-id",
                                                  help="Id column in the attributes "
                                                       "(default: --id-column).")]
MapOption = Annotated[list[str] | None, typer.Option("--map", help="SRC=CANONICAL column mapping; "
                                                     "repeat for each column.")]
UnitOption = Annotated[list[str] | None, typer.Option("--unit", help="COL=UNIT, e.g. "
                                                      "gas_kwh=therm; repeat for each column.")]
MappingFile = Annotated[Path | None, typer.Option("--mapping", help="Saved mapping (JSON or YAML); "
                                                  "options given here take precedence.")]
Layer = Annotated[str | None, typer.Option("--layer", help="Layer of a GeoPackage.")]
CrsOption = Annotated[str | None, typer.Option("--crs", help="CRS of the boundaries when the file "
                                               "has none (or a wrong one), e.g. EPSG:3435.")]
EncodingOption = Annotated[str | None, typer.Option(
    "--encoding", help="Encoding of a CSV attribute table that is not UTF-8 (a Python codec "
                       "name, e.g. cp1250, cp1252, cp1251, cp932, gb18030); default: detected. "
                       "UTF-8 and a byte-order mark are always honoured.")]
DegreeDays = Annotated[Path | None, typer.Option(
    "--degree-days", help="Monthly degree days CSV: month (1..12), hdd_c, cdd_c in °C-days "
                          "(format of data/chicago/degree_days.csv).")]
EstimateOption = Annotated[list[str] | None, typer.Option(
    "--estimate", help="NAME=VALUE: a figure used to estimate absent columns, instead of "
                       "data/estimate_parameters.csv's, e.g. persons_per_household=2.3; "
                       "repeat for each figure.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ReferencesOption = Annotated[Path | None, typer.Option(
    "--references", help="The city's reference values: a CSV with name, value, unit, source "
                         "(currency, grid and gas factors, prices, equity thresholds, costs; "
                         "see data/examples/references_uk.csv); default: the US tables.")]
ObservedOnly = Annotated[bool, typer.Option(
    "--observed-only", help="Leave out of the plan the districts whose energy is the energy "
                            "model's prediction, not an observation (default: use the "
                            "predictions).")]


def pairs(items: list[str] | None, what: str) -> dict[str, str]:
    """Parse repeated ``KEY=VALUE`` options."""
    out = {}
    for item in items or []:
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise InputError(f"{what} '{item}' is not of the form KEY=VALUE")
        out[key.strip()] = val.strip()
    return out


def figures_from_args(items: list[str] | None) -> dict[str, float]:
    """The ``--estimate NAME=VALUE`` options as checked numbers (raises InputError)."""
    from core.intake import estimates

    given = pairs(items, "--estimate")
    return {name: estimates.checked_value(name, value) for name, value in given.items()}


def mapping_from_args(boundaries: Path, attributes: Path | None, id_column: str | None,
                      attributes_id: str | None, map_: list[str] | None,
                      unit: list[str] | None, mapping_file: Path | None, layer: str | None,
                      crs: str | None = None, extra_features: list[str] | None = None,
                      suggest: bool = False, encoding: str | None = None) -> ColumnMapping:
    """The mapping a command uses: :func:`core.intake.mapping.merge` of the suggestions
    (read from the inputs' column names, only when ``suggest``), the ``--mapping`` file and
    the options (raises InputError); ``encoding`` is the ``--encoding`` option."""
    from core.i18n import lazy
    from core.intake import mapping as column_mapping
    from core.intake.city import read_inputs

    saved = column_mapping.load(mapping_file) if mapping_file else None
    explicit = column_mapping.validated(
        {"id_column": id_column, "attributes_id": attributes_id, "layer": layer, "crs": crs,
         "encoding": encoding,
         "columns": pairs(map_, "--map"), "units": pairs(unit, "--unit"),
         "extra_features": list(extra_features or [])}, lazy("the command-line options"))
    merged = column_mapping.merge(None, saved, explicit)
    if not suggest:
        return merged
    gdf, table, _ = read_inputs(boundaries, attributes, merged.layer, merged.encoding)
    b_cols, a_cols = column_mapping.source_columns(gdf, table)
    return column_mapping.merge(column_mapping.suggest(a_cols, b_cols, boundaries=gdf, table=table),
                                saved, explicit)


def city_from_args(boundaries: Path, attributes: Path | None, id_column: str | None,
                   attributes_id: str | None, map_: list[str] | None, unit: list[str] | None,
                   mapping_file: Path | None, layer: str | None, crs: str | None = None,
                   degree_days: Path | None = None, estimate: list[str] | None = None,
                   references: Path | None = None, encoding: str | None = None) -> City:
    """Load the city the way every command does (raises InputError/CityValidationError).

    ``degree_days``: an optional monthly degree-day table attached to the city;
    ``estimate``: the ``--estimate NAME=VALUE`` options; ``references``: the
    ``--references FILE`` option; ``encoding``: the ``--encoding`` option."""
    from core.intake.city import load_city

    figures = figures_from_args(estimate)
    refs = references_from_args(references)
    m = mapping_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                          mapping_file, layer, crs, encoding=encoding)
    return with_degree_days(load_city(boundaries, attributes, m, figures=figures,
                                      references=refs), degree_days)


def references_from_args(path: Path | None) -> ReferenceValues | None:
    """The ``--references FILE`` option read and checked (None without it; InputError listing
    what to fix in the file)."""
    from core.intake import reference_values

    return None if path is None else reference_values.read(path)


def with_predictions(city: City, as_json: bool) -> City:
    """The city with the energy model's predictions where a district with data has no observed
    energy (:mod:`core.models.predicted`; the city itself when there is none). Says on stderr
    that it trains, unless the output is JSON."""
    from core.models import predicted

    gaps = predicted.gaps(city)
    if gaps and not as_json:
        typer.echo("training the energy model to predict "
                   + " and ".join(f"{t} for {int(m.sum()):,} district(s)" for t, m in gaps.items())
                   + " without an observation...", err=True)
    return predicted.with_predictions(city)


def with_degree_days(city: City, path: Path | None) -> City:
    """The city with the degree-day table at ``path`` attached and recorded (unchanged if None)."""
    if path is None:
        return city
    from core.intake import degree_day_table

    return degree_day_table.attach(city, degree_day_table.read_degree_days(path), Path(path).name)


def fail(message: str, code: int, as_json: bool) -> None:
    """Print an error the user can act on and exit with ``code``."""
    if as_json:
        print(json.dumps({"status": "error", "exit_code": code, "message": message}))
    else:
        typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


#: the option that gives each setting an InputError can name (core.errors.InputError.setting)
SETTING_OPTIONS = {"crs": "--crs EPSG:XXXX", "layer": "--layer NAME",
                   "encoding": "--encoding NAME"}


def with_option(exc: InputError) -> str:
    """The error's message with the command-line option that fixes it, when there is one."""
    option = SETTING_OPTIONS.get(getattr(exc, "setting", None) or "")
    return f"{exc} (with {option})" if option else str(exc)


def run_guarded(fn, as_json: bool):
    """Run ``fn`` turning known input problems into clean exits (no traceback)."""
    try:
        return fn()
    except InputError as exc:
        fail(with_option(exc), EXIT_UNREADABLE, as_json)
    except CityValidationError as exc:
        fail(str(exc), EXIT_PROBLEMS, as_json)
