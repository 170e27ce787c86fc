"""``python -m core validate``: read, map, check and (optionally) save a city; print its report.

Exit codes: 0 the city is usable, 1 blocking problems remain (each with what to fix),
2 an input cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.cli import common as cli

if TYPE_CHECKING:  # the command imports them when it runs (core.cli.common: start-up)
    from core.capabilities import Capability
    from core.intake.city import City
    from core.intake.quality import QualityReport

ExtraFeature = Annotated[list[str] | None, typer.Option(
    "--extra-feature", help="A non-canonical numeric column to keep as a model feature; repeat.")]
Exclude = Annotated[list[str] | None, typer.Option("--exclude", help="Exclude the district with "
                                                   "this id (both files); repeat.")]
DropDuplicates = Annotated[bool, typer.Option("--drop-duplicates",
                                              help="Drop exact duplicate attribute rows.")]
IgnoreZeros = Annotated[bool, typer.Option("--ignore-leading-zeros",
                                           help="Match ids such as '01' and '1'.")]
Suggest = Annotated[bool, typer.Option("--suggest", help="Apply the suggested mapping for "
                                       "columns not mapped otherwise, and print it.")]
Write = Annotated[Path | None, typer.Option("--write", help="Save the cleaned city as GeoParquet "
                                            "(accepted as BOUNDARIES by every command and the app).")]
SHOWN_IDS = 20  # no-data districts listed by id in the text report
SHOWN_COLUMNS = ("column", "unit", "completeness", "estimated", "type_errors", "out_of_range",
                 "outliers")


def validate(boundaries: cli.Boundaries, attributes: cli.Attributes = None,
             id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
             map_: cli.MapOption = None, unit: cli.UnitOption = None,
             mapping: cli.MappingFile = None, layer: cli.Layer = None, crs: cli.CrsOption = None,
             extra_feature: ExtraFeature = None, exclude: Exclude = None,
             drop_duplicates: DropDuplicates = False, ignore_leading_zeros: IgnoreZeros = False,
             suggest: Suggest = False, write: Write = None,
             estimate: cli.EstimateOption = None, references: cli.ReferencesOption = None,
             encoding: cli.EncodingOption = None,
             as_json: cli.JsonFlag = False) -> None:
    """Check a city's data and print its quality report (exit 0 usable, 1 blocking, 2 unreadable)."""
    from core.capabilities import capabilities
    from core.intake import staging
    from core.intake.city import validate_city, write_city

    cleaning = staging.Cleaning(drop_duplicate_rows=drop_duplicates,
                               ignore_leading_zeros=ignore_leading_zeros,
                               exclude_ids=tuple(exclude or ()))

    def run():
        figures = cli.figures_from_args(estimate)
        m = cli.mapping_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                                  mapping, layer, crs, extra_feature, suggest,
                                  encoding=encoding)
        refs = cli.references_from_args(references)
        return m, validate_city(boundaries, attributes, m, cleaning, figures=figures,
                                references=refs)

    m, result = cli.run_guarded(run, as_json)
    report = result.report
    written = None
    if write is not None and result.city is not None:
        written = str(cli.run_guarded(lambda: write_city(result.city, write), as_json))
    code = cli.EXIT_OK if report.usable else cli.EXIT_PROBLEMS
    supports = capabilities(result.city) if result.city is not None else None
    if as_json:
        print(json.dumps({**report.to_dict(), "status": "usable" if report.usable else "blocked",
                          "exit_code": code, "mapping": m.model_dump(exclude_none=True),
                          "written": written, "capabilities": None if supports is None
                          else [c.to_dict() for c in supports],
                          **({} if result.city is None else predicted_counts(result.city)),
                          **({} if result.city is None else references_json(result.city))}))
        raise typer.Exit(code)
    echo_report(report, m if suggest else None, written, write)
    if result.city is not None:
        typer.echo(result.city.references.describe())  # "reference values: ..."
    if result.city is not None:
        echo_predicted(result.city)
    if supports is not None:
        echo_capabilities(supports)
    raise typer.Exit(code)


def echo_report(report: QualityReport, suggested, written: str | None,
                wanted: Path | None) -> None:
    from core.intake import mapping as column_mapping

    verdict = "usable" if report.usable else "NOT usable: fix the blocking problems below"
    typer.echo(f"{report.n_districts} districts ({report.n_with_data} with data, "
               f"{report.n_without_data} without); {verdict}; quality score "
               f"{report.score:.1f}/100")
    if report.no_data_ids:
        more = report.n_without_data - SHOWN_IDS
        typer.echo(f"No data ({report.n_without_data} districts, shown as 'no data' and left "
                   f"out of the analyses): {', '.join(report.no_data_ids[:SHOWN_IDS])}"
                   + (f" and {more} more (--json lists all)" if more > 0 else ""))
    if suggested is not None:
        typer.echo("Mapping used (save as a mapping file with --mapping next time):")
        typer.echo("  " + column_mapping.dump(suggested, fmt="yaml").replace("\n", "\n  "))
    for title, problems in (("Blocking problems", report.blocking), ("Warnings", report.warnings)):
        if problems:
            typer.echo(f"{title} ({len(problems)}):")
            for p in problems:
                typer.echo(f"  - {p}")
    if report.estimates:
        typer.echo(f"Estimated ({len(report.estimates)}; change a figure with --estimate "
                   "NAME=VALUE, or map the real column):")
        for e in report.estimates.values():
            typer.echo(f"  - {e.describe()}")
    cols = report.columns[list(SHOWN_COLUMNS)].assign(
        completeness=lambda t: (t["completeness"] * 100).round(1).astype(str) + " %")
    typer.echo("Columns:")
    typer.echo("  " + cols.to_string(index=False).replace("\n", "\n  "))
    typer.echo(f"Overlaps: {len(report.overlaps)} pair(s), {report.overlaps['area_m2'].sum():,.0f} "
               f"m²; gaps: {len(report.gaps)}, {report.gaps['area_m2'].sum():,.0f} m²")
    if report.lineage:
        typer.echo("Lineage:")
        for i, step in enumerate(report.lineage, 1):
            typer.echo(f"  {i}. {step}")
    if written:
        typer.echo(f"Written: {written}")
    elif wanted is not None:
        typer.echo(f"Not written to {wanted}: blocking problems remain")


def predicted_counts(city: City) -> dict:
    """Per energy column: districts whose value is a prediction, and districts the energy
    model will predict when the city is used (data but no observation; validate trains no
    model)."""
    from core.models import predicted

    return {"predicted": predicted.counts(city),
            "to_predict": {t: int(m.sum()) for t, m in predicted.gaps(city).items()}}


def echo_predicted(city: City) -> None:
    counts = predicted_counts(city)
    for t, n in counts["predicted"].items():
        typer.echo(f"Predicted, not observed: {t} for {n:,} district(s) (energy model)")
    for t, n in counts["to_predict"].items():
        typer.echo(f"To predict: {t} for {n:,} district(s) with data but no observation; the "
                   "energy model predicts them when the city is used (summary, optimize, the app)")


def references_json(city) -> dict:
    """The city's currency and reference values (name, value, unit, source, origin)."""
    return {"currency": city.references.currency,
            "references": city.references.frame().to_dict(orient="records")}


def echo_capabilities(supports: list[Capability]) -> None:
    """What the city supports: one line per analysis, its status and reason."""
    typer.echo("What this city supports:")
    for c in supports:
        typer.echo(f"  - {c.analysis}: {c.status}" + (f" ({c.reason})" if c.reason else ""))
