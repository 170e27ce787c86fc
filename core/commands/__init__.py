"""CLI commands; each module adds its commands to ``core.cli.app``."""

from core.commands import (  # noqa: F401  (each module registers its commands)
    models,
    optimize,
    summary,
    validate,
)
