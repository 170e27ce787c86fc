"""CLI start-up: ``python -m core --help`` against a bare interpreter, in the same run.

    python benchmarks/cli.py [--runs 7]

Each run starts a fresh interpreter; the figure is the median wall time from start to exit
(s) and the peak resident memory of the process (MiB). The references: ``python -c pass``
(the interpreter alone) and a two-command typer app (what the help itself costs: typer,
click and rich). Target (issue 13): ``python -m core --help`` <= 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0
TYPER_APP = ("import typer\napp = typer.Typer(add_completion=False)\n"
             "@app.command()\ndef a(x: int = 1):\n    'A.'\n"
             "@app.command()\ndef b(x: int = 1):\n    'B.'\napp()\n")
#: runs the code given as argv[1] with argv[2:] as its arguments, then prints its peak memory
PEAK = ("import resource, runpy, sys\n"
        "target, sys.argv = sys.argv[1], sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module(target[3:], run_name='__main__', alter_sys=True) "
        "if target.startswith('-m ') else exec(compile(target, '<code>', 'exec'), {})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")

CASES = {"python -m core --help": ["-m", "core", "--help"],
         "python -c pass": ["-c", "pass"],
         "typer app --help": ["-c", TYPER_APP, "--help"]}


def seconds(args: list[str]) -> float:
    """Wall time (s) of one fresh ``python ARGS`` from start to exit."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def peak_mib(args: list[str]) -> float:
    """Peak resident memory (MiB) of ``python ARGS``, read by the process itself at exit."""
    target = f"-m {args[1]}" if args[0] == "-m" else args[1]
    out = subprocess.run([sys.executable, "-c", PEAK, target, *args[2:]], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    a = parser.parse_args()
    for args in CASES.values():  # warm the file cache and the bytecode once
        seconds(args)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(a.runs):  # interleaved, so a busy moment hits every case alike
        for name, args in CASES.items():
            times[name].append(seconds(args))
    med = {name: statistics.median(t) for name, t in times.items()}
    mem = {name: peak_mib(args) for name, args in CASES.items()}
    bare, typer_ref = med["python -c pass"], med["typer app --help"]
    print(f"CLI start-up, median of {a.runs} fresh processes")
    print(f"{'command':<24}{'seconds':>9}{'peak MiB':>10}{'x bare python':>15}{'x typer app':>13}")
    for name in CASES:
        print(f"{name:<24}{med[name]:>9.3f}{mem[name]:>10.0f}{med[name] / bare:>15.1f}"
              f"{med[name] / typer_ref:>13.2f}")
    core = med["python -m core --help"]
    print(f"target: python -m core --help <= {TARGET_S:g} s: {core:.3f} s, "
          f"{core / TARGET_S:.2f} of the target ({'met' if core <= TARGET_S else 'NOT met'}); "
          f"{core - bare:.3f} s above a bare interpreter, {core - typer_ref:+.3f} s against a "
          "bare typer app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
