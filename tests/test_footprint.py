"""The footprint of Greenprint's own computing (core.footprint): the estimate from CPU time,
RAPL counters read from a folder laid out like /sys/class/powercap, the wording, and the
footprint every solve and training carries. No test times anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import footprint, reference_tables
from core.footprint import Footprint, Meter


def busy(seconds_of_cpu: float = 0.05) -> None:
    """Spend about ``seconds_of_cpu`` of this process's CPU time."""
    import time
    start = time.process_time()
    while time.process_time() - start < seconds_of_cpu:
        sum(i * i for i in range(1000))


def test_the_per_core_power_is_a_sourced_reference_value():
    table = reference_tables.table("compute_power")
    row = table.set_index("name").loc["cpu_core_w"]
    assert row["unit"] == "W per core" and "Green Algorithms" in row["source"]
    assert footprint.core_power_w() == float(row["value"]) > 0


def test_without_counters_the_energy_is_cpu_time_times_the_core_power(tmp_path):
    with Meter(0.4, rapl_root=tmp_path, gpu=False) as meter:
        busy()
    fp = meter.footprint
    assert fp.method == footprint.ESTIMATED == "estimated from CPU time"
    assert fp.cpu_seconds >= 0.05
    assert fp.energy_wh == pytest.approx(fp.cpu_seconds * footprint.core_power_w() / 3600)
    assert fp.co2_g == pytest.approx(fp.energy_wh * 0.4)  # Wh x kg/kWh = g


def rapl_folder(root: Path, uj: int, max_uj: int = 10**12) -> Path:
    """A package counter (and a sub-domain that must be ignored) like the kernel's."""
    for name in ("intel-rapl:0", "intel-rapl:0:0"):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "energy_uj").write_text(f"{uj}\n")
        (folder / "max_energy_range_uj").write_text(f"{max_uj}\n")
    return root / "intel-rapl:0"


def test_rapl_counters_measure_the_block_and_unwrap_once(tmp_path):
    package = rapl_folder(tmp_path, uj=999_000, max_uj=1_000_000)
    assert footprint.rapl_domains(tmp_path) == [package]
    with Meter(0.5, rapl_root=tmp_path, gpu=False) as meter:
        (tmp_path / "intel-rapl:0:0" / "energy_uj").write_text("2600000\n")  # a sub-domain
        (package / "energy_uj").write_text("359000\n")  # wrapped past 1,000,000 uJ
    fp = meter.footprint
    assert fp.method == "measured (RAPL)"
    assert fp.energy_wh == pytest.approx(0.36 / 3600)  # 360,000 uJ = 0.36 J
    assert fp.co2_g == pytest.approx(0.36 / 3600 * 0.5)


def test_an_unreadable_counter_falls_back_to_the_estimate(tmp_path):
    folder = tmp_path / "intel-rapl:0"
    folder.mkdir()
    (folder / "energy_uj").write_text("not a number")
    assert footprint.rapl_domains(tmp_path) == []
    with Meter(0.4, rapl_root=tmp_path, gpu=False) as meter:
        pass
    assert meter.footprint.method == footprint.ESTIMATED


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0 Wh"), (2e-8, "< 0.000001 Wh"), (0.000423, "0.00042 Wh"), (0.0199, "0.020 Wh"),
    (0.02, "0.020 Wh"), (1.34, "1.3 Wh"), (12.6, "13 Wh"), (1234.5, "1,234 Wh")])
def test_quantities_read_without_scientific_notation(value, text):
    assert footprint.quantity(value, "Wh") == text


def test_the_footprint_in_words_beside_the_abatement():
    fp = Footprint(0.02, 0.0075, footprint.ESTIMATED, 0.1, 0.006)
    assert fp.text() == "0.020 Wh, 0.0075 g CO2 (estimated from CPU time)"
    line = footprint.beside_abatement("This solve", fp.energy_wh, fp.co2_g, fp.method, 1234.4)
    assert line == ("This solve: 0.020 Wh, 0.0075 g CO2 (estimated from CPU time); the plan "
                    "abates 1,234 t CO2/yr")
    assert footprint.beside_abatement("This solve", 0.02, 0.0075, fp.method, 0.0).endswith(")")
    both = fp + Footprint(0.01, 0.0025, "measured (RAPL)", 0.1, 0.003)
    assert both.energy_wh == pytest.approx(0.03) and both.co2_g == pytest.approx(0.01)
    assert both.method == "estimated from CPU time; measured (RAPL)"


def test_methods_name_the_counters_read():
    assert footprint.method_of(rapl=True, nvml=False) == "measured (RAPL)"
    assert footprint.method_of(rapl=True, nvml=True) == "measured (RAPL + NVML)"
    assert footprint.method_of(rapl=False, nvml=True) == ("estimated from CPU time + measured "
                                                          "(NVML)")
    assert footprint.method_of(rapl=False, nvml=False) == "estimated from CPU time"


def test_every_solve_carries_its_footprint_at_the_citys_grid_factor():
    from core.assess import carbon
    from core.intake.city import default_city
    from core.plan import optimizer, problem
    from core.plan.scenario import Scenario

    city = default_city()
    res = optimizer.optimize(problem.context(city), [Scenario(), Scenario(budget_usd_per_capita=50)])
    fp = res.footprint
    assert fp is not None and fp.energy_wh > 0 and fp.cpu_seconds > 0
    grid = carbon.grid_factor_kg_per_kwh(city.references)
    assert fp.co2_g == pytest.approx(fp.energy_wh * grid)
    totals = res.totals()
    assert totals["compute_energy_wh"] == fp.energy_wh
    assert totals["compute_co2_g"] == fp.co2_g
    assert totals["compute_footprint_method"] == fp.method


def test_training_carries_its_footprint_into_the_model_card():
    from core.intake.city import default_city
    from core.models import cross_validation
    from core.models.model_card import computation_text, model_card, model_card_markdown
    from core.models.network import TrainConfig

    city = default_city()
    ev = cross_validation.evaluate(city, TrainConfig(folds=2, max_epochs=20, members=2,
                                                     device="cpu"))
    assert ev.footprint is not None and ev.footprint.energy_wh > 0
    card = model_card(ev, city)
    assert card["computation"]["energy_wh"] == ev.footprint.energy_wh
    assert card["computation"]["method"] == ev.footprint.method
    assert computation_text(card) == f"Training and cross-validation: {ev.footprint.text()}"
    assert f"## Footprint of the computation\n{computation_text(card)}." in model_card_markdown(card)
    del card["computation"]  # a card saved before the footprint existed
    assert computation_text(card) is None and "Footprint" not in model_card_markdown(card)
