"""A throwaway PostgreSQL server from Debian's ``postgresql`` package, for the store's tests.

    python tools/pgserver.py start DIR   # prints the server's URL; exit 1 (reason on stderr)
    python tools/pgserver.py stop DIR    # stops it and removes DIR

``.ci/run`` starts one and exports its URL as ``GREENPRINT_TEST_DATABASE_URL``; the store's
test fixtures (tests/test_store_backends.py) start one themselves when that is not set.
The server trusts local connections (``postgres`` user, no password), listens on
127.0.0.1 on a free port, and keeps its data and log in DIR. As root, it runs as the
``postgres`` user (initdb refuses root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from tools.devserver import free_port

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
TIMEOUT_S = 120  # each of initdb and pg_ctl


class NoServer(Exception):
    """Why no PostgreSQL server could be started."""


def _pg_bin() -> Path:
    found = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")),
                   key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if not found or not (found[-1] / "initdb").exists():
        raise NoServer(f"Debian's postgresql is not installed (no initdb in {PG_BIN_GLOB}; "
                       "apt-get install postgresql)")
    return found[-1]


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server as a non-root user (initdb refuses root)."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise NoServer("running as root and there is no 'postgres' user to run the server "
                       "as") from None
    os.chown(folder, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def start_server(folder: Path) -> str:
    """Start a PostgreSQL server with its data in ``folder`` (created; must be reachable by the
    server's user); return its URL. Raises NoServer saying why it cannot."""
    bin_dir = _pg_bin()
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _as_server_user(folder)
    port = free_port()
    steps = [
        [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
         "-E", "UTF8", "--locale=C.UTF-8"],
        [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"),
         "-w", "-t", "60", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
    ]
    for step in steps:
        try:
            out = subprocess.run(prefix + step, capture_output=True, text=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as exc:
            raise NoServer(f"{Path(step[0]).name} did not run: {exc}") from None
        if out.returncode != 0:
            log = folder / "server.log"
            detail = (out.stderr or out.stdout).strip().splitlines()[-1:] + (
                log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else [])
            raise NoServer(f"{Path(step[0]).name} failed: {' | '.join(detail)}")
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop_server(folder: Path) -> None:
    """Stop the server of :func:`start_server` and remove its folder."""
    data = folder / "data"
    if data.exists():
        subprocess.run(_as_server_user(folder) + [str(_pg_bin() / "pg_ctl"), "-D", str(data),
                       "-m", "immediate", "stop"], capture_output=True, timeout=TIMEOUT_S)
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    """``start DIR`` prints the URL (exit 0) or why no server started (stderr, exit 1);
    ``stop DIR`` stops it (exit 0); anything else prints the usage (exit 2)."""
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python tools/pgserver.py start DIR | stop DIR", file=sys.stderr)
        return 2
    command, where = argv[0], Path(argv[1])
    if command == "stop":
        stop_server(where)
        return 0
    try:
        print(start_server(where))
    except NoServer as exc:
        print(f"no PostgreSQL server: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
