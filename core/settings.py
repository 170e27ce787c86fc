"""Run-time configuration, read from environment variables (prefix ``GREENPRINT_``).

| variable | default | meaning |
|---|---|---|
| GREENPRINT_BASEMAP | ``blank`` | ``blank`` (offline, no requests) or a MapLibre style URL for a tiled basemap |
| GREENPRINT_BLANK_COLOR | ``#eef0f2`` | background colour of the blank basemap |
| GREENPRINT_UPLOAD_LIMIT_MB | ``200`` | largest accepted upload |
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GREENPRINT_", frozen=True)

    basemap: str = Field("blank", description="'blank' or a MapLibre style URL")
    blank_color: str = "#eef0f2"
    upload_limit_mb: float = Field(200.0, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
