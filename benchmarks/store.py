"""The store and the briefing: saving and opening a city and a scenario, in time and size on
disk, and making the policy briefing (HTML and PDF) of the 77-area city.

    python benchmarks/store.py [--quick] [--repeats 5] [--url postgresql://...] [--no-briefing]

For the 77-area default city and a 10,000-district generated city (``--quick``: the 77
areas only), each on SQLite in a fresh data directory (and on PostgreSQL with ``--url``,
files in the same kind of folder), it measures, median of ``--repeats`` runs after one
untimed run:

* ``create``/``open the store``: :meth:`Store.open` of a new store (migrations) and of
  that store again (once each);
* ``save city``: :meth:`Store.save_city` of a city not yet stored (fingerprint, GeoParquet,
  file written and flushed, row committed); ``again``: saving the same city once more
  (fingerprint and look-up only);
* ``open city``: :meth:`Store.get_city` (file checked against its hash, read through
  ``load_city``);
* ``save scenario``: :meth:`Store.save_scenario` of a solved scenario (KPIs, allocation
  file, row and tags); ``open scenario``: :meth:`Store.get_scenario` and
  :meth:`Store.get_allocation`, what a saved scenario needs to show without re-solving;
* sizes: the city's file, the scenario's allocation file, and the database (SQLite).

Reference, measured in the same run: ``write_city`` to a GeoParquet file and ``load_city``
of it (what saving a city without the store costs), and the optimizer's solve of the same
scenario (what opening a saved scenario saves). Ratios are store / reference.

The briefing of the 77-area default city, step by step as ``python -m core report`` makes
it (imports excluded): the quality report, the energy model's card (one cross-validation,
which also predicts any missing energy), the solve, the HTML (maps, charts, tables,
template) and the PDF (WeasyPrint); then the same from the store for a published scenario
(:meth:`Store.briefing_inputs`, HTML, PDF). The HTML and PDF are the median of
``--repeats`` after one untimed run; the other steps run once, as in a fresh process.
Each is given in wall and CPU seconds (the machine may be shared: CPU seconds move less),
with two references from the same run: the target (10 s for the whole briefing on a
2-core machine) and a bare WeasyPrint render of a one-page HTML document.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from core.intake.city import City, default_city, load_city, write_city
from core.plan import optimizer, problem
from core.plan.scenario import Scenario
from core.sample.city import sample_city
from core.store import Store
from core.store.database import SQLITE_FILE

MB = 1e6
BRIEFING_TARGET_S = 10.0  # issue 11: the briefing of the 77 areas on a 2-core machine
ONE_PAGE = ("<html><head><style>body { font-family: 'Liberation Sans'; }</style></head><body>"
            "<h1>One page</h1><p>A paragraph of text, and a small table.</p><table>"
            + "".join(f"<tr><td>row {i}</td><td>{i * 1.5:.1f}</td></tr>" for i in range(10))
            + "</table></body></html>")


def city_of(n: int) -> City:
    return default_city() if n == 77 else sample_city(n, seed=1, rounded=True)


def clocked(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, value) of one call."""
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - w, time.process_time() - c, value


def clocked_median(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeats`` calls after one untimed call."""
    fn()
    runs = [clocked(fn) for _ in range(repeats)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            runs[-1][2])


def timed(fn, repeats: int, warm: bool = True) -> tuple[float, object]:
    """Median seconds of ``repeats`` calls (after one untimed call when ``warm``: caches and
    lazy imports are not the store's cost), and the last call's value."""
    times, value = [], fn() if warm else None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def reference(city: City, ctx, sc: Scenario, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "city.parquet"
        write_s, _ = timed(lambda: write_city(city, path), repeats)
        load_s, _ = timed(lambda: load_city(path), repeats)
        size = path.stat().st_size
    solve_s, result = timed(lambda: optimizer.optimize(ctx, sc, device="cpu"), repeats)
    return {"write_s": write_s, "load_s": load_s, "parquet_bytes": size, "solve_s": solve_s,
            "result": result}


def measure(city: City, url: str | None, ctx, sc: Scenario, result, repeats: int,
            clean) -> dict:
    """The store's figures on one back end (a fresh store for each save of the city)."""
    saves = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            clean()
            with Store.open(url, Path(tmp)) as store:
                t0 = time.perf_counter()
                store.save_city(city)
                saves.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        clean()
        folder = Path(tmp)
        create_s, store = timed(lambda: Store.open(url, folder), 1, warm=False)
        store.close()
        open_s, store = timed(lambda: Store.open(url, folder), 1, warm=False)
        with store:
            city_id = store.save_city(city)
            again_s, _ = timed(lambda: store.save_city(city), repeats)
            get_s, _ = timed(lambda: store.get_city(city_id), repeats)
            save_sc_s, scenario_id = timed(
                lambda: store.save_scenario(city_id, sc, result, ctx=ctx, tags=["benchmark"]),
                repeats)
            open_sc_s, _ = timed(lambda: (store.get_scenario(scenario_id),
                                          store.get_allocation(scenario_id)), repeats)
            info = store.city_info(city_id)
            files = sum(store.files.size(key) for key in store.files.keys())
            allocation = files - info.size_bytes  # the scenarios share one allocation file
            db = folder / SQLITE_FILE
            db_bytes = sum(p.stat().st_size for p in folder.glob(SQLITE_FILE + "*")) \
                if db.exists() else None
    return {"create_store_s": create_s, "open_store_s": open_s, "save_city_s": statistics.median(saves), "again_s": again_s,
            "get_city_s": get_s, "save_scenario_s": save_sc_s, "open_scenario_s": open_sc_s,
            "city_bytes": info.size_bytes, "allocation_bytes": allocation, "db_bytes": db_bytes,
            "scenarios": repeats + 1}


def _postgres_cleaner(url: str | None):
    """Drop the store's tables between runs on PostgreSQL (SQLite starts in a new folder)."""
    if url is None:
        return lambda: None
    import sqlalchemy as sa

    from core.store import database
    from core.store.schema import Base

    def clean():
        engine = sa.create_engine(database.url_of(url, Path()))
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
    return clean


def report(n: int, backend: str, ref: dict, got: dict) -> None:
    def row(label, store_s, ref_s=None, ref_label=""):
        ratio = f"{store_s / ref_s:>8.2f}x {ref_label}" if ref_s else ""
        print(f"  {label:<26} {store_s * 1000:>10.1f} ms  {ratio}")
    print(f"\nN = {n:,} districts, {backend}")
    row("create the store", got["create_store_s"])
    row("open the store", got["open_store_s"])
    row("save city", got["save_city_s"], ref["write_s"], f"of write_city ({ref['write_s'] * 1000:.1f} ms)")
    row("save city again (stored)", got["again_s"], ref["write_s"], "of write_city")
    row("open city", got["get_city_s"], ref["load_s"], f"of load_city ({ref['load_s'] * 1000:.1f} ms)")
    row("save scenario", got["save_scenario_s"], ref["solve_s"],
        f"of the solve ({ref['solve_s'] * 1000:.1f} ms)")
    row("open scenario", got["open_scenario_s"], ref["solve_s"], "of re-solving")
    print(f"  {'city file':<26} {got['city_bytes'] / MB:>10.3f} MB  "
          f"{got['city_bytes'] / ref['parquet_bytes']:>8.2f}x of its GeoParquet "
          f"({ref['parquet_bytes'] / MB:.3f} MB)")
    print(f"  {'allocation file':<26} {got['allocation_bytes'] / MB:>10.3f} MB")
    if got["db_bytes"] is not None:
        print(f"  {'SQLite database':<26} {got['db_bytes'] / MB:>10.3f} MB  (with its WAL; one "
              f"city and {got['scenarios']} saved scenarios)")


def briefing_steps(sc: Scenario, repeats: int) -> dict[str, tuple[float, float]]:
    """(wall s, CPU s) of each step of the 77-area city's briefing, the same from the store,
    and of the reference one-page render."""
    import weasyprint

    from core import paths
    from core.intake.city import validate_city
    from core.report import briefing
    from core.report.inputs import model_evidence
    from core.report.render import offline_fetcher

    out = {}

    def step(label: str, fn, repeats: int = 0):
        """``fn()``, its (wall, CPU) seconds kept under ``label``: once, or the median of
        ``repeats`` after an untimed call."""
        wall, cpu, value = clocked_median(fn, repeats) if repeats else clocked(fn)
        out[label] = (wall, cpu)
        return value

    step("one-page WeasyPrint render", lambda: weasyprint.HTML(
        string=ONE_PAGE, url_fetcher=offline_fetcher()).write_pdf(), repeats)
    quality = step("quality report", lambda: validate_city(
        paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES).report)
    city, card = step("energy model card (one CV)", lambda: model_evidence(default_city(), "cpu"))
    ctx = problem.context(city)
    result = step("solve", lambda: optimizer.optimize(ctx, sc, device="cpu"))
    brief = step("HTML (maps, charts, tables)", lambda: briefing(city, ctx, result, quality, card),
                 repeats)
    pdf = step("PDF (WeasyPrint)", brief.pdf, repeats)
    with tempfile.TemporaryDirectory() as tmp, Store.open(None, Path(tmp)) as store:
        scenario_id = store.save_scenario(store.save_city(city), sc, result, ctx=ctx)
        store.publish_scenario(scenario_id)
        inputs = step("store: briefing inputs", lambda: store.briefing_inputs(
            scenario_id, published_only=True, device="cpu"))
        step("store: HTML and PDF", lambda: briefing(
            inputs.city, inputs.ctx, inputs.result, inputs.quality, inputs.card,
            city_id=inputs.city_id, scenario_ids=[inputs.scenario_id]).pdf())
    out["pdf_kb"] = (len(pdf) / 1e3, 0.0)
    return out


def report_briefing(steps: dict[str, tuple[float, float]]) -> None:
    ref_w, ref_c = steps.pop("one-page WeasyPrint render")
    size_kb = steps.pop("pdf_kb")[0]
    from_store = {k: steps.pop(k) for k in [k for k in steps if k.startswith("store:")]}
    print(f"\nBriefing of the 77-area city (PDF {size_kb:,.0f} kB); reference: a "
          f"one-page WeasyPrint "
          f"render, {ref_w * 1000:.0f} ms wall, {ref_c * 1000:.0f} ms CPU")
    print(f"  {'step':<30} {'wall s':>8} {'CPU s':>8}  {'x one page':>10}")
    for label, (w, c) in steps.items():
        print(f"  {label:<30} {w:>8.2f} {c:>8.2f}  {w / ref_w:>9.1f}x")
    for label, part in (("whole briefing (CLI steps)", steps),
                        ("HTML + PDF from plan and card", {k: steps[k] for k in steps
                                                          if k.startswith(("HTML", "PDF"))}),
                        ("published scenario, from the store", from_store)):
        w, c = sum(v[0] for v in part.values()), sum(v[1] for v in part.values())
        print(f"  {label:<36} {w:>6.2f} s wall ({w / BRIEFING_TARGET_S:.2f}x of the "
              f"{BRIEFING_TARGET_S:.0f} s target), {c:.2f} s CPU")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="the 77 areas only")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--url", help="also measure on this PostgreSQL database (its store tables "
                                  "are dropped between runs: use an empty one)")
    ap.add_argument("--no-briefing", action="store_true", help="leave out the briefing")
    args = ap.parse_args()
    sizes = [77] if args.quick else [77, 10_000]
    backends = [("SQLite", None)] + ([("PostgreSQL", args.url)] if args.url else [])
    for n in sizes:
        city = city_of(n)
        ctx = problem.context(city)
        sc = Scenario(name="benchmark", budget_usd_per_capita=100.0, justice40_share=0.4)
        ref = reference(city, ctx, sc, args.repeats)
        for backend, url in backends:
            got = measure(city, url, ctx, sc, ref["result"], args.repeats, _postgres_cleaner(url))
            report(n, backend, ref, got)
    if not args.no_briefing:
        report_briefing(briefing_steps(Scenario(name="benchmark", budget_usd_per_capita=100.0,
                                                justice40_share=0.4), args.repeats))


if __name__ == "__main__":
    main()
