"""``python -m core report``: a policy briefing of a scenario, as PDF or HTML.

The city is the bundled one, BOUNDARIES (with the usual city options) or a saved city
(``--city ID``); each scenario is a JSON file or the id of a saved scenario (whose city
is used when no other is given). The scenarios are solved in one batch; the energy
model's card comes from ``--model DIR`` (a model saved by ``train --out``) or is made by
cross-validating now. Districts with data but no observed energy get the energy model's
prediction, as in ``optimize`` (``--observed-only`` leaves them out of the plan); without
``--model``, one cross-validation makes both the card and the predictions
(:func:`core.report.inputs.model_evidence`).

Exit codes (core.cli.common): 0 written; 2 an input that cannot be used (a missing
scenario, an --out that is not .pdf/.html or cannot be written, an unknown or deleted id);
1 a city whose data has blocking problems.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core import i18n, paths
from core.cli import common as cli
from core.errors import InputError

if TYPE_CHECKING:  # the command imports them when it runs (core.cli.common: start-up)
    from core.intake.city import City
    from core.intake.quality import QualityReport

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}
MAX_COMPARED = 3  # scenarios besides the first: a comparison table stays readable on A4
STORE_ID = re.compile(r"^[0-9a-f]{12}$")  # a saved scenario's id (core.store)

OptionalBoundaries = Annotated[Path | None, typer.Argument(
    help="District polygons (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet); default: "
         "the bundled city, or the saved scenario's city.")]
ScenarioRef = Annotated[str, typer.Option(
    "--scenario", help="Scenario JSON file (see data/scenarios/) or the id of a saved "
                       "scenario (python -m core scenarios list).")]
CompareRefs = Annotated[list[str] | None, typer.Option(
    "--compare", help=f"Another scenario (file or saved id) to compare with the first; repeat "
                      f"for each (at most {MAX_COMPARED}).")]
Out = Annotated[Path, typer.Option("--out", "-o", help="The briefing to write: brief.pdf or "
                                                       "brief.html (chosen by the extension).")]
CityId = Annotated[str | None, typer.Option("--city", help="Id of a saved city (python -m core "
                                                           "cities list) instead of BOUNDARIES.")]
ModelDir = Annotated[Path | None, typer.Option(
    "--model", help="Folder of an energy model saved by `train --out` for this city: its model "
                    "card is used instead of cross-validating now.")]
BaseUrl = Annotated[str | None, typer.Option(
    "--base-url", help="The app's address for the permalink (default GREENPRINT_BASE_URL).")]
Device = Annotated[str, typer.Option("--device", help="auto (cuda when available), cpu or cuda.")]
Lang = Annotated[str | None, typer.Option(
    "--lang", help="The briefing's language: en, zh or es (default: GREENPRINT_LANG, else en).")]


def output_format(out: Path) -> str:
    """``pdf`` or ``html`` from the extension of ``out`` (InputError otherwise)."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"--out {out}: the briefing is written as PDF or HTML; end the file "
                         "name in .pdf or .html")
    return fmt


def check_writable(out: Path) -> None:
    """InputError, before any work, when ``out`` cannot be written."""
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise InputError(f"--out {out} is a folder; give a file name such as {out / 'brief.pdf'}")
    if not folder.is_dir():
        raise InputError(f"--out {out}: the folder {folder} does not exist; create it or write "
                         "elsewhere")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise InputError(f"--out {out}: no permission to write there; choose another folder")


def write_atomically(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file, so a failure leaves no half file."""
    try:
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", delete=False) as f:
            f.write(data)
            tmp = Path(f.name)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None


class _Store:
    """The store, opened on first use (a briefing of files never touches it)."""

    def __init__(self) -> None:
        self._store = None

    def get(self):
        if self._store is None:
            from core.store import Store

            self._store = Store.open()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _scenario(ref: str, store: _Store):
    """(scenario, saved id or None, saved city id or None) for a file or a saved id. A saved
    scenario computed with another version says so on stderr: the briefing re-solves it."""
    from core.plan import scenario

    if Path(ref).is_file() or not STORE_ID.match(ref):
        return scenario.load(ref), None, None
    saved = store.get().get_scenario(ref)
    if changes := saved.changes():
        typer.echo(f"note: {saved.name!r} ({saved.id}) was saved with another version "
                   f"({'; '.join(changes)}); the briefing shows it solved now", err=True)
    return saved.scenario, saved.id, saved.city_id


def _scenarios(refs: list[str], store: _Store):
    """The scenarios, their saved ids, and the saved city they belong to (None for files)."""
    if len(refs) > MAX_COMPARED + 1:
        raise InputError(f"--compare: at most {MAX_COMPARED} scenarios besides --scenario")
    scs, ids, cities = zip(*(_scenario(r, store) for r in refs), strict=True)
    saved_cities = {c for c in cities if c}
    if len(saved_cities) > 1:
        raise InputError("the saved scenarios belong to different cities; compare scenarios "
                         "of one city")
    return list(scs), list(ids), next(iter(saved_cities), None)


def _saved_city(city_id: str, store: _Store) -> tuple[City, QualityReport, str]:
    """A saved city, its quality report and its id."""
    from core.report.inputs import saved_quality

    city = store.get().get_city(city_id)
    return city, saved_quality(city), city_id


def _city_of_files(boundaries: Path | None, attributes: Path | None, m, figures: dict, refs):
    """The bundled city (no ``boundaries``) or the files' city, with the reference values
    ``refs`` (None: the defaults), and its quality report."""
    from core.intake.city import default_city, validate_city

    if boundaries is None:
        report = validate_city(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES,
                               figures=figures).report
        city = default_city(figures)
        return (city if refs is None else city.with_references(refs)), report, None
    validation = validate_city(boundaries, attributes, m, figures=figures, references=refs)
    return validation.city_or_raise(), validation.report, None


def _evidence(city: City, model_dir: Path | None, device: str, as_json: bool) -> tuple[City, dict]:
    """(``city`` with its missing energy predicted, the energy model's card): a saved model's
    card (checked to be of this city), or one cross-validation that makes both."""
    from core.models import predicted
    from core.report.inputs import model_evidence

    if model_dir is None:
        if not as_json and (n := predicted.n_to_predict(city)):
            typer.echo(f"cross-validating the energy model, which also predicts the energy of "
                       f"{n:,} district(s) without an observation...", err=True)
        return model_evidence(city, device)
    from core.models.energy import EnergyModel

    card = EnergyModel.load(model_dir, device).card
    data = card.get("data", {})
    if (data.get("city"), data.get("n_districts")) != (city.name, city.n):
        raise InputError(f"--model {model_dir} was trained on {data.get('city')!r} "
                         f"({data.get('n_districts')} districts), not on {city.name!r} "
                         f"({city.n} districts); train one on this city with "
                         f"`python -m core train ... --out {model_dir}`")
    return cli.with_predictions(city, as_json), card


def report(boundaries: OptionalBoundaries = None, scenario_ref: ScenarioRef = ...,
           out: Out = ..., compare: CompareRefs = None, city_id: CityId = None,
           attributes: cli.Attributes = None, id_column: cli.IdColumn = None,
           attributes_id: cli.AttributesId = None, map_: cli.MapOption = None,
           unit: cli.UnitOption = None, mapping: cli.MappingFile = None,
           layer: cli.Layer = None, crs: cli.CrsOption = None, model: ModelDir = None,
           base_url: BaseUrl = None, device: Device = "auto",
           estimate: cli.EstimateOption = None, references: cli.ReferencesOption = None,
           observed_only: cli.ObservedOnly = False, lang: Lang = None,
           encoding: cli.EncodingOption = None,
           as_json: cli.JsonFlag = False) -> None:
    """Write a policy briefing (PDF or HTML) of a scenario: question and answer, maps,
    equity, assumptions, data quality, model validation, permalink and methods, in the
    language of ``--lang``."""
    start = time.perf_counter()
    store = _Store()

    def run():
        from core.device import pick_device  # torch
        from core.plan import optimizer, problem
        from core.report import briefing  # matplotlib, Jinja2, WeasyPrint: only for a briefing

        if lang is not None:
            i18n.set_language(lang)  # InputError naming the languages when it is not one
        check_writable(out)
        fmt = output_format(out)
        dev = pick_device(device).type  # InputError with the choices when it cannot be used
        scs, ids, scenario_city = _scenarios([scenario_ref, *(compare or [])], store)
        if city_id and boundaries:
            raise InputError("give BOUNDARIES or --city ID, not both")
        if city_id and scenario_city and scenario_city != city_id:
            raise InputError(f"the saved scenarios belong to the city {scenario_city}, not to "
                             f"{city_id}; leave out --city")
        wanted = city_id or (scenario_city if boundaries is None else None)
        if wanted and references is not None:
            raise InputError("a saved city keeps its reference values; leave out --references "
                             "(or save the city again with them)")
        if wanted:
            city, quality, stored_city = _saved_city(wanted, store)
        else:
            m = None if boundaries is None else cli.mapping_from_args(
                boundaries, attributes, id_column, attributes_id, map_, unit, mapping, layer, crs,
                encoding=encoding)
            city, quality, stored_city = _city_of_files(
                boundaries, attributes, m, cli.figures_from_args(estimate),
                cli.references_from_args(references))
        if reason := problem.unavailable(city.districts):
            raise InputError(f"{reason}: map them with --map SRC=CANONICAL")
        city, card = _evidence(city, model, dev, as_json)
        ctx = problem.context(city, observed_only)
        brief = briefing(city, ctx, optimizer.optimize(ctx, scs, device=dev), quality, card,
                         city_id=stored_city, scenario_ids=ids, base_url=base_url)
        data = brief.pdf() if fmt == "pdf" else brief.html()
        write_atomically(out, data)
        return brief, len(data)

    try:
        brief, size = cli.run_guarded(run, as_json)
    finally:
        store.close()
    seconds = time.perf_counter() - start
    if as_json:
        print(json.dumps({"status": "ok", "out": str(out), "bytes": size,
                          "scenario_hash": brief.scenario_hash, "permalink": brief.permalink,
                          "sections": list(brief.sections), "seconds": round(seconds, 2)}))
        return
    typer.echo(f"wrote {out} ({size / 1024:,.0f} kB) in {seconds:.1f} s: {brief.title}, "
               f"scenario hash {brief.scenario_hash}")
    typer.echo(f"  permalink: {brief.permalink or 'none (the city and scenario are not saved)'}")
