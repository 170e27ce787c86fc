"""CLI commands; each module adds its commands to ``core.cli.app``."""

from core.commands import (
    models,  # noqa: F401
    summary,  # noqa: F401
)
