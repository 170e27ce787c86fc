"""The footprint of Greenprint's own computing: energy (Wh) and CO2 (g) of a block of work.

Greenprint asks cities to save energy; each solve, sweep and training reports what its own
computing cost, and how that figure was obtained:

``measured (RAPL)``
    The processor packages' energy counters (Intel RAPL,
    ``/sys/class/powercap/intel-rapl:N/energy_uj``) where this process may read them. They
    count the whole processor, other work on the machine included.
``measured (NVML)``
    The GPUs' energy counters (``nvmlDeviceGetTotalEnergyConsumption``, through ``pynvml``)
    when torch sees a CUDA GPU and ``pynvml`` is installed (never required); they count each
    whole GPU, and are added to the processor's figure.
``estimated from CPU time``
    Otherwise: the process's CPU time (user + system, all its threads; in a server running
    several sessions at once, theirs too, so an upper bound) times the power of one fully
    used core, ``cpu_core_w`` of data/compute_power.csv (W per core, sourced). Idle cores,
    memory and a data centre's overhead are left out.

CO2 is the energy times the city's grid factor (kg CO2/kWh, core.assess.carbon): Wh x
kg/kWh = g.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core import reference_tables
from core.i18n import N_, _, number

RAPL_ROOT = Path("/sys/class/powercap")
MEASURED_RAPL = N_("measured (RAPL)")
MEASURED_RAPL_NVML = N_("measured (RAPL + NVML)")
ESTIMATED = N_("estimated from CPU time")
ESTIMATED_NVML = N_("estimated from CPU time + measured (NVML)")
J_PER_WH = 3600.0
UJ_PER_J = 1e6
MJ_PER_J = 1e3  # NVML counts millijoules


def core_power_w() -> float:
    """Power of one fully used processor core, W (data/compute_power.csv, sourced)."""
    return reference_tables.value("compute_power", "cpu_core_w")


@dataclass(frozen=True)
class Footprint:
    """Energy and CO2 of a block of work, and how they were obtained."""

    energy_wh: float
    co2_g: float
    method: str  # "measured (RAPL)", "measured (RAPL + NVML)", "estimated from CPU time", ...
    seconds: float  # wall-clock time of the block
    cpu_seconds: float  # the process's CPU time over it

    def __add__(self, other: Footprint) -> Footprint:
        """Two blocks together (a sweep's solves); the method of both when they differ."""
        method = self.method if self.method == other.method else f"{self.method}; {other.method}"
        return Footprint(self.energy_wh + other.energy_wh, self.co2_g + other.co2_g, method,
                         self.seconds + other.seconds, self.cpu_seconds + other.cpu_seconds)

    def text(self) -> str:
        """e.g. ``0.02 Wh, 0.01 g CO2 (estimated from CPU time)``."""
        return text(self.energy_wh, self.co2_g, self.method)


def text(energy_wh: float, co2_g: float, method: str) -> str:
    """A footprint in words: ``0.02 Wh, 0.01 g CO2 (estimated from CPU time)``."""
    return _("{energy}, {co2} ({method})").format(
        energy=quantity(energy_wh, "Wh"), co2=quantity(co2_g, "g CO2"), method=_(method))


def beside_abatement(label: str, energy_wh: float, co2_g: float, method: str,
                     abatement_t_per_yr: float | None) -> str:
    """``label``'s footprint beside the abatement its plan buys, e.g. "This solve: 0.02 Wh,
    0.01 g CO2 (estimated from CPU time); the plan abates 1,200 t CO2/yr" (t CO2/yr)."""
    out = f"{label}: {text(energy_wh, co2_g, method)}"
    if abatement_t_per_yr is not None and abatement_t_per_yr > 0:
        out += _("; the plan abates {abatement} t CO2/yr").format(
            abatement=number(abatement_t_per_yr, 1 if abatement_t_per_yr < 100 else 0))
    return out


def quantity(value: float, unit: str) -> str:
    """A small positive figure with two significant digits and no scientific notation
    (0.00042 Wh, 0.02 Wh, 1.3 Wh, 1,200 Wh); below 0.000001 as "< 0.000001"."""
    if not math.isfinite(value):
        return _("not measured")
    if value <= 0:
        return f"{number(0)} {unit}"
    if value < 1e-6:
        return f"< {number(1e-6, 6)} {unit}"
    digits = max(0, 1 - math.floor(math.log10(value)))
    return f"{number(round(value, digits), digits)} {unit}"


def method_of(rapl: bool, nvml: bool) -> str:
    """How a footprint was obtained, in words, from which counters were read."""
    if rapl:
        return MEASURED_RAPL_NVML if nvml else MEASURED_RAPL
    return ESTIMATED_NVML if nvml else ESTIMATED


# --------------------------------------------------------------------------- counters

def rapl_domains(root: Path = RAPL_ROOT) -> list[Path]:
    """The readable processor-package counters (``intel-rapl:N``, not their sub-domains)."""
    out = []
    for folder in sorted(root.glob("intel-rapl:*")):
        if folder.name.count(":") != 1:
            continue
        try:
            int((folder / "energy_uj").read_text())
        except (OSError, ValueError):
            continue
        out.append(folder)
    return out


def _rapl_read(domains: list[Path]) -> list[int]:
    return [int((d / "energy_uj").read_text()) for d in domains]


def _rapl_joules(domains: list[Path], before: list[int], after: list[int]) -> float:
    """Joules between two readings, each counter unwrapped once at its ``max_energy_range_uj``."""
    total = 0
    for d, a, b in zip(domains, before, after, strict=True):
        if b < a:
            b += int((d / "max_energy_range_uj").read_text())
        total += b - a
    return total / UJ_PER_J


@cache
def _nvml_handles() -> tuple:
    """NVML handles of the visible GPUs whose energy counter reads, or none (no GPU, no
    pynvml); looked up once per process."""
    try:
        import torch
        if not torch.cuda.is_available():
            return ()
        import pynvml
        pynvml.nvmlInit()
        handles = tuple(pynvml.nvmlDeviceGetHandleByIndex(i)
                        for i in range(pynvml.nvmlDeviceGetCount()))
        for h in handles:
            pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        return handles
    except Exception:  # no pynvml, no driver, or a GPU without the counter: not measured
        return ()


def _nvml_read(handles: tuple) -> list[int]:
    import pynvml
    return [pynvml.nvmlDeviceGetTotalEnergyConsumption(h) for h in handles]


def _cpu_seconds() -> float:
    """The process's CPU time so far, user + system, all threads (s)."""
    return time.process_time()


# --------------------------------------------------------------------------- the meter

class Meter:
    """Measures the block it wraps; ``footprint`` holds the result after it ends.

    ``grid_kg_per_kwh``: the city's grid factor (kg CO2/kWh) that turns energy into CO2;
    ``rapl_root``: where the RAPL counters are; ``gpu``: read NVML when there is a GPU. Use::

        with Meter(carbon.grid_factor_kg_per_kwh(refs)) as meter:
            ...  # the work
        meter.footprint.text()  # "0.02 Wh, 0.0075 g CO2 (estimated from CPU time)"
    """

    def __init__(self, grid_kg_per_kwh: float, rapl_root: Path = RAPL_ROOT,
                 gpu: bool = True) -> None:
        self.grid = float(grid_kg_per_kwh)
        self.domains = rapl_domains(rapl_root)
        self.gpus = _nvml_handles() if gpu else ()
        self.footprint: Footprint | None = None

    def __enter__(self) -> Meter:
        self._rapl = _rapl_read(self.domains)
        self._nvml = _nvml_read(self.gpus) if self.gpus else []
        self._cpu = _cpu_seconds()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        wall = time.perf_counter() - self._wall
        cpu = _cpu_seconds() - self._cpu
        if self.domains:
            joules = _rapl_joules(self.domains, self._rapl, _rapl_read(self.domains))
        else:
            joules = cpu * core_power_w()
        if self.gpus:
            joules += sum(b - a for a, b in zip(self._nvml, _nvml_read(self.gpus),
                                                strict=True)) / MJ_PER_J
        method = method_of(bool(self.domains), bool(self.gpus))
        energy_wh = joules / J_PER_WH
        self.footprint = Footprint(energy_wh, energy_wh * self.grid, method, wall, cpu)

