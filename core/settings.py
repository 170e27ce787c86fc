"""Run-time configuration, read from environment variables (prefix ``GREENPRINT_``).

| variable | default | meaning |
|---|---|---|
| GREENPRINT_BASEMAP | ``blank`` | ``blank``, the only value: the maps (dashboard.map, our own canvas drawing) draw the districts on a plain background, offline; a tiled basemap would need a tile library and tiles fetched from a server, which Greenprint does not ship (any other value is refused) |
| GREENPRINT_BLANK_COLOR | ``#eef0f2`` | background colour of the maps |
| GREENPRINT_UPLOAD_LIMIT_MB | ``200`` | largest accepted upload |
| GREENPRINT_ZIP_MAX_MEMBERS | ``1000`` | most files a zipped Shapefile may hold |
| GREENPRINT_ZIP_MAX_UNCOMPRESSED_MB | ``1000`` | largest total uncompressed size of a zip |
| GREENPRINT_ZIP_MAX_RATIO | ``100`` | largest uncompressed/compressed ratio of a zip (zip bombs) |
| GREENPRINT_DISPLAY_TOLERANCE_SHARE | ``0.02`` | map simplification tolerance, as a share of the median district width; the map's coordinates are rounded to a tenth of it (core.assess.display) |
| GREENPRINT_MAX_FEATURES | ``250000`` | most districts (features) a boundaries file may hold |
| GREENPRINT_MAX_VERTICES | ``20000000`` | most polygon vertices a boundaries file may hold |
| GREENPRINT_MAX_ROWS | ``1000000`` | most rows an attribute table may hold |
| GREENPRINT_MAX_COLUMNS | ``500`` | most columns a boundaries file or table may hold |
| GREENPRINT_SCENARIO_MAX_KB | ``64`` | largest scenario or mapping file (JSON/YAML) |
| GREENPRINT_SCENARIO_MAX_DEPTH | ``16`` | deepest nesting of a scenario or mapping file |
| GREENPRINT_CACHE_TTL_S | ``3600`` | seconds an upload's parsed form stays cached after its last use |
| GREENPRINT_MEMORY_TRIM_S | ``60`` | seconds between the server's garbage collection and heap trim; 0 = off |
| GREENPRINT_DATA_DIR | ``greenprint-data`` | folder of the store: its SQLite database and the files of saved cities and results (relative to the working directory) |
| GREENPRINT_DATABASE_URL | none | the store's database, e.g. ``postgresql://user:password@host/db``; none = SQLite in GREENPRINT_DATA_DIR |
| GREENPRINT_STORE_BUSY_TIMEOUT_S | ``30`` | seconds a save waits for another one to finish before it fails |
| GREENPRINT_STORE_KEEP_DELETED_DAYS | ``30`` | days a deleted city or scenario can be restored before it is purged |
| GREENPRINT_MIN_DISTRICTS_WITH_DATA | ``5`` | fewest districts with data (a population) a city needs to be used (all of them in a smaller city); districts without data stay on the map as "no data" |
| GREENPRINT_BASE_URL | ``http://localhost:8501/`` | the app's public address: a briefing's permalink is this with ``?city=<id>&scenario=<id>`` |
| GREENPRINT_RELEASE_RULE | none | the public portal's release rule file (JSON/YAML: thresholds, and optional differential-privacy noise on totals with its ``epsilon``, ``budget`` and ``bounds``; see core.release.rule); none = the sourced thresholds of data/release_thresholds.csv, no noise |
| GREENPRINT_NATURAL_BREAKS_EXACT_MAX | ``1000`` | most values whose natural breaks (Fisher-Jenks) are computed exactly; a map of more districts breaks this many evenly spaced quantiles of its values, and its legend says so (exact Fisher-Jenks grows with the square of the values: 1,000 take about 20 ms) |
| GREENPRINT_TRAIN_THREADS | ``1`` | torch's intra-op CPU threads while the energy model trains a city below GREENPRINT_TRAIN_PARALLEL_ROWS districts (0 = torch's default, one per core): its networks are small, so more threads wait on each other, badly so on a busy machine (801 districts on a busy shared 2-core machine: 1.2 s with one, 12.0 s with two; 0.95 s and 0.67 s when it is idle; benchmarks/models.py) |
| GREENPRINT_TRAIN_PARALLEL_ROWS | ``5000`` | from this many districts up, the energy model trains on every core (torch's default threads): each operation is then large enough to share (10,000 districts on an idle 2-core machine: 6.2-7.2 s with one thread, 4.0-4.2 s with two; 100,000 in the CLI: 30.0 s and 22.1 s, the same scores) |
| GREENPRINT_SOLVE_MEMORY_MB | ``1024`` | working memory (MB, on the solving device) of one chunk of a batched optimizer solve: a larger batch of scenarios is solved in chunks of this size, with the same results |
| GREENPRINT_RAY_ADDRESS | none | the Ray cluster a sweep's ``--engine ray`` and the Scenario lab's sweeps run on (unset: the Lab solves in the server), e.g. ``ray://head-host:10001`` (KubeRay, ``ray up``); ``--address`` overrides it; none = a Ray started on this machine for the sweep (core.plan.engines) |
| GREENPRINT_MODE | ``planner`` | ``planner`` (the workbench: uploads, retraining, saving, exact figures) or ``portal`` (the public, read-only site: no uploads, retraining or saving; the published scenarios only; every district figure through the release rule, GREENPRINT_RELEASE_RULE; see dashboard/portal.py and deploy/README.md) |
| GREENPRINT_PORTAL_MAX_SWEEP | ``64`` | portal: most scenarios one sweep solves (the Pareto front's budgets; the Monte Carlo band's budgets x draws, its draws cut to fit). The planner's sweeps are 16 and 8 x 32 = 256 scenarios; 64 keeps a visitor's sweep at a quarter of that (the planner's 77 districts x 256 scenarios take 0.13-0.18 s on one CPU thread, dashboard/scenario_lab/solve.py) |
| GREENPRINT_PORTAL_SOLVES | ``2`` | portal: optimizer solves that run at once in one server process (each on one CPU thread; one per core of the 2-core reference machine); a visitor's solve waits for a free one |
| GREENPRINT_PORTAL_SOLVE_WAIT_S | ``10`` | portal: longest a visitor's solve waits for a free one (GREENPRINT_PORTAL_SOLVES) before the page says the portal is busy and to try again |
| GREENPRINT_DATA_LICENCE | none | the licence the portal's downloads are published under (their data dictionary's licence column), e.g. ``CC BY 4.0``; none = the terms of the city's data source, named in the dictionary |
| GREENPRINT_LANG | ``en`` | the language a visitor sees until they pick one (``?lang=`` in the URL) and the CLI's briefings are written in: ``en``, ``zh`` or ``es`` (core.i18n) |
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GREENPRINT_", frozen=True)

    basemap: str = Field("blank", pattern="^blank$", description="'blank' (no tiled basemap)")
    blank_color: str = "#eef0f2"
    upload_limit_mb: float = Field(200.0, gt=0)
    zip_max_members: int = Field(1000, gt=0)
    zip_max_uncompressed_mb: float = Field(1000.0, gt=0)
    zip_max_ratio: float = Field(100.0, gt=1)
    display_tolerance_share: float = Field(0.02, ge=0)
    max_features: int = Field(250_000, gt=0)
    max_vertices: int = Field(20_000_000, gt=0)
    max_rows: int = Field(1_000_000, gt=0)
    max_columns: int = Field(500, gt=0)
    scenario_max_kb: float = Field(64.0, gt=0)
    scenario_max_depth: int = Field(16, gt=1)
    cache_ttl_s: float = Field(3600.0, gt=0)
    memory_trim_s: float = Field(60.0, ge=0, allow_inf_nan=False)
    data_dir: Path = Path("greenprint-data")
    database_url: str | None = None
    store_busy_timeout_s: float = Field(30.0, gt=0, allow_inf_nan=False)
    store_keep_deleted_days: float = Field(30.0, ge=0, allow_inf_nan=False)
    min_districts_with_data: int = Field(5, ge=1)
    base_url: str = Field("http://localhost:8501/", min_length=1)
    release_rule: Path | None = None
    solve_memory_mb: float = Field(1024.0, gt=0, allow_inf_nan=False)
    ray_address: str | None = None
    train_threads: int = Field(1, ge=0)
    train_parallel_rows: int = Field(5000, ge=0)
    natural_breaks_exact_max: int = Field(1000, ge=10)
    mode: Literal["planner", "portal"] = "planner"
    portal_max_sweep: int = Field(64, ge=1)
    portal_solves: int = Field(2, ge=1)
    portal_solve_wait_s: float = Field(10.0, ge=0, allow_inf_nan=False)
    data_licence: str | None = None
    lang: str = Field("en", pattern="^(en|zh|es)$")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
