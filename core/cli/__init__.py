"""Command line: ``python -m core --help``.

Every command takes the same city inputs as the app and calls the same core
functions. This module builds the app: each command module defines plain functions
(and imports only :mod:`core.cli.common`), registered here in the order ``--help``
lists them. Exit codes are in :mod:`core.cli.common`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from core.cli import models, optimize, report, store, summary, validate
from core.cli.common import EXIT_INTERNAL

#: Every command, in the order ``--help`` lists them; each is named after its function.
COMMANDS = (models.evaluate, models.train, models.predict, optimize.optimize, optimize.sweep,
            report.report, summary.summary, validate.validate)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Greenprint: city energy, carbon and equity assessment.")


@app.callback()
def _group() -> None:
    """Greenprint: city energy, carbon and equity assessment."""


for _command in COMMANDS:
    app.command()(_command)

for _group_name, (_help, _commands) in store.GROUPS.items():  # `cities ...`, `scenarios ...`
    _sub = typer.Typer(no_args_is_help=True, help=_help)
    for _name, _command in _commands.items():
        _sub.command(_name)(_command)
    app.add_typer(_sub, name=_group_name)


def main() -> None:  # console script entry point
    """Run the CLI; an unexpected failure prints an error id, never a traceback.

    The traceback is written to the log file named in the message (and to the screen only
    with ``GREENPRINT_DEBUG=1``)."""
    import os

    try:
        app(prog_name="python -m core", standalone_mode=True)
    except Exception as exc:  # a bug, not bad input: the known errors exit inside commands
        if os.environ.get("GREENPRINT_DEBUG") == "1":
            raise
        error_id, log_file = log_internal_error(exc)
        typer.secho(f"error: internal error (error id {error_id}); this is a bug in Greenprint, "
                    f"not in your data. The details are in {log_file}; please report the id.",
                    err=True, fg=typer.colors.RED)
        sys.exit(EXIT_INTERNAL)


def log_internal_error(exc: BaseException) -> tuple[str, Path]:
    """Append the traceback to the CLI's log file under a new error id."""
    import tempfile
    import traceback
    import uuid

    error_id = uuid.uuid4().hex[:10]
    log_file = Path(tempfile.gettempdir()) / "greenprint-cli.log"
    with open(log_file, "a", encoding="utf-8") as f:
        f.write(f"--- error id {error_id}\n")
        f.write("".join(traceback.format_exception(exc)))
    return error_id, log_file


if __name__ == "__main__":
    sys.exit(main())
