"""A column mapping: which of the user's columns is which canonical column, in which unit.

Saved and reloaded as a small JSON or YAML file, so a city's mapping is made once.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core import columns as cols
from core.errors import InputError


class ColumnMapping(BaseModel):
    """``columns``: source -> canonical; ``units``: canonical -> unit."""

    model_config = ConfigDict(extra="forbid")

    id_column: str | None = None
    attributes_id: str | None = None
    layer: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    units: dict[str, str] = Field(default_factory=dict)
    extra_features: list[str] = Field(default_factory=list)

    @field_validator("columns")
    @classmethod
    def _canonical_targets(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(t for t in v.values() if t not in cols.CANONICAL)
        if unknown:
            raise ValueError(f"not canonical column names: {', '.join(unknown)}")
        return v


def load(path: str | Path) -> ColumnMapping:
    """Read a mapping file (``.json``, ``.yaml`` or ``.yml``)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"mapping file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        return ColumnMapping.model_validate(data or {})
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
                           for e in exc.errors())
        raise InputError(f"mapping file {path.name} is not valid: {detail}") from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"mapping file {path.name} is not valid: {str(exc).splitlines()[0]}") from exc


def dump(mapping: ColumnMapping, path: str | Path | None = None, fmt: str = "json") -> str:
    """Serialise a mapping (and write it to ``path`` when given)."""
    data = mapping.model_dump(exclude_none=True)
    text = json.dumps(data, indent=2) if fmt == "json" else yaml.safe_dump(data, sort_keys=False)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
