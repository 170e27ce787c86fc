"""CLI commands; each module adds its commands to ``core.cli.app``."""

import core.commands.optimize  # noqa: F401
import core.commands.validate  # noqa: F401  (issue 3: data import and quality report)
from core.commands import summary  # noqa: F401
