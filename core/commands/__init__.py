"""CLI commands; each module adds its commands to ``core.cli.app``."""

import core.commands.optimize  # noqa: F401
from core.commands import summary  # noqa: F401
