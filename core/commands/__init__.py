"""CLI commands; each module adds its commands to ``core.cli.app``."""

from core.commands import summary  # noqa: F401
