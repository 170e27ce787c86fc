"""Command line: ``python -m core --help``.

Every command takes the same city inputs as the app and calls the same core
functions. Exit codes: 0 usable/ok, 1 blocking problems in the data, 2 input
that cannot be read, 3 an internal error (printed with an error id, never a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import CityValidationError, InputError
from core.intake.city import City, load_city

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Greenprint: city energy, carbon and equity assessment.")

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


@app.callback()
def _group() -> None:
    """Greenprint: city energy, carbon and equity assessment."""

# Shared city arguments, the same for every command.
Boundaries = Annotated[Path, typer.Argument(help="District polygons: GeoJSON, GeoPackage, "
                                            "zipped Shapefile or GeoParquet.")]
Attributes = Annotated[Path | None, typer.Option("--attributes", "-a",
                                                 help="Attribute table: CSV, XLSX or Parquet.")]
IdColumn = Annotated[str, typer.Option("--id-column", help="Id column in the boundaries.")]
AttributesId = Annotated[str | None, typer.Option("--attributes-id",
                                                  help="Id column in the attributes "
                                                       "(default: --id-column).")]
MapOption = Annotated[list[str] | None, typer.Option("--map", help="SRC=CANONICAL column mapping; "
                                                     "repeat for each column.")]
UnitOption = Annotated[list[str] | None, typer.Option("--unit", help="COL=UNIT, e.g. "
                                                      "gas_kwh=therm; repeat for each column.")]
MappingFile = Annotated[Path | None, typer.Option("--mapping", help="Saved mapping (JSON or YAML).")]
Layer = Annotated[str | None, typer.Option("--layer", help="Layer of a GeoPackage.")]
CrsOption = Annotated[str | None, typer.Option("--crs", help="CRS of the boundaries when the file "
                                               "has none (or a wrong one), e.g. EPSG:3435.")]
DegreeDays = Annotated[Path | None, typer.Option(
    "--degree-days", help="Monthly degree days CSV: month (1..12), hdd_c, cdd_c in °C-days "
                          "(format of data/chicago/degree_days.csv).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def pairs(items: list[str] | None, what: str) -> dict[str, str]:
    """Parse repeated ``KEY=VALUE`` options."""
    out = {}
    for item in items or []:
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise InputError(f"{what} '{item}' is not of the form KEY=VALUE")
        out[key.strip()] = val.strip()
    return out


def city_from_args(boundaries: Path, attributes: Path | None, id_column: str,
                   attributes_id: str | None, map_: list[str] | None, unit: list[str] | None,
                   mapping_file: Path | None, layer: str | None, crs: str | None = None,
                   degree_days: Path | None = None) -> City:
    """Load the city the way every command does (raises InputError/CityValidationError).

    ``degree_days``: an optional monthly degree-day table attached to the city."""
    from core.intake import mapping as column_mapping

    saved = column_mapping.load(mapping_file) if mapping_file else column_mapping.ColumnMapping()
    columns = {**saved.columns, **pairs(map_, "--map")}
    units = {**saved.units, **pairs(unit, "--unit")}
    city = load_city(boundaries, attributes, id_column=saved.id_column or id_column,
                     attributes_id=attributes_id or saved.attributes_id, mapping=columns,
                     units_by_column=units, layer=layer or saved.layer,
                     extra_features=tuple(saved.extra_features), crs=crs or saved.crs)
    return with_degree_days(city, degree_days)


def with_degree_days(city: City, path: Path | None) -> City:
    """The city with the degree-day table at ``path`` attached and recorded (unchanged if None)."""
    if path is None:
        return city
    from core.models import degree_days as dd

    return dd.attach(city, dd.read_degree_days(path), Path(path).name)


def fail(message: str, code: int, as_json: bool) -> None:
    """Print an error the user can act on and exit with ``code``."""
    if as_json:
        print(json.dumps({"status": "error", "exit_code": code, "message": message}))
    else:
        typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def run_guarded(fn, as_json: bool):
    """Run ``fn`` turning known input problems into clean exits (no traceback)."""
    try:
        return fn()
    except InputError as exc:
        fail(str(exc), EXIT_UNREADABLE, as_json)
    except CityValidationError as exc:
        fail(str(exc), EXIT_PROBLEMS, as_json)


def main() -> None:  # console script entry point
    """Run the CLI; an unexpected failure prints an error id, never a traceback.

    The traceback is written to the log file named in the message (and to the screen only
    with ``GREENPRINT_DEBUG=1``)."""
    import os

    try:
        app(prog_name="python -m core", standalone_mode=True)
    except Exception as exc:  # a bug, not bad input: the known errors exit inside commands
        if os.environ.get("GREENPRINT_DEBUG") == "1":
            raise
        error_id, log_file = log_internal_error(exc)
        typer.secho(f"error: internal error (error id {error_id}); this is a bug in Greenprint, "
                    f"not in your data. The details are in {log_file}; please report the id.",
                    err=True, fg=typer.colors.RED)
        sys.exit(EXIT_INTERNAL)


def log_internal_error(exc: BaseException) -> tuple[str, Path]:
    """Append the traceback to the CLI's log file under a new error id."""
    import tempfile
    import traceback
    import uuid

    error_id = uuid.uuid4().hex[:10]
    log_file = Path(tempfile.gettempdir()) / "greenprint-cli.log"
    with open(log_file, "a", encoding="utf-8") as f:
        f.write(f"--- error id {error_id}\n")
        f.write("".join(traceback.format_exception(exc)))
    return error_id, log_file


def _register_commands() -> None:
    """Import the modules that add commands to ``app`` (each defines its own)."""
    from core.cli import models, optimize, summary, validate  # noqa: F401


_register_commands()

if __name__ == "__main__":
    sys.exit(main())
