"""The one place that knows where Greenprint's bundled files live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_CITY_DIR = DATA_DIR / "chicago"
DEFAULT_BOUNDARIES = DEFAULT_CITY_DIR / "districts.geojson"
DEFAULT_ATTRIBUTES = DEFAULT_CITY_DIR / "attributes.csv"
DEFAULT_DEGREE_DAYS = DEFAULT_CITY_DIR / "degree_days.csv"
GENERATOR_PARAMETERS = DATA_DIR / "generator_parameters.csv"
DATA_README = DATA_DIR / "README.md"


def reference_table(name: str) -> Path:
    """Path of a sourced reference table ``data/<name>.csv``."""
    return DATA_DIR / f"{name}.csv"
