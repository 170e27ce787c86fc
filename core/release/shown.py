"""A release as the public portal shows it: withheld districts drawn in their own colour with a
legend entry and a tooltip line "withheld: <reason>", reasons worded without the district's
own counts, headline totals from the release's totals.

A reason of :func:`core.release.release` may quote a withheld district's own count ("57
residents, fewer than 100"): right for the planner, a disclosure on the portal. The portal
shows :func:`public_reason` instead, which keeps the rule's thresholds and drops the counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from core.assess import maps
from core.assess.indicators import KWH_PER_GWH, Kpi
from core.i18n import N_, _
from core.release import figures as figs
from core.release.publish import Released

#: fill of a withheld district (RGBA): a light pink that no class colour (viridis, the
#: categories, the diverging scale) or the no-data grey comes near
WITHHELD = [241, 182, 218, maps.FILL_ALPHA]
WITHHELD_LABEL = "withheld"
#: the map property that holds "withheld: <reason>" ("" for a released district)
WITHHELD_PROPERTY = "withheld"
#: what a table or a tooltip shows in place of a withheld value
BLANK = "–"

_COUNT = re.compile(r"^[\d,.]+ (?P<what>.+?), fewer than (?P<limit>[\d,.]+)(?P<rest>.*)$")
_SHARE = re.compile(r"^its largest (?P<fuel>\w+) customer uses \S+ of it, more than "
                    r"(?P<limit>\S+)$")


def public_reason(reason: str) -> str:
    """``reason`` (of :attr:`Released.reasons`) without the district's own counts or shares:
    "electricity: 9 electricity customers, fewer than 15" becomes "electricity: fewer than 15
    electricity customers"."""
    out = []
    for piece in filter(None, reason.split("; ")):
        basis, sep, words = piece.partition(": ")
        if basis not in figs.BASES:
            basis, sep, words = "", "", piece
        if m := _COUNT.match(words):
            words = f"fewer than {m['limit']} {m['what']}{m['rest']}"
        elif m := _SHARE.match(words):
            words = f"its largest {m['fuel']} customer uses more than {m['limit']} of it"
        out.append(f"{basis}{sep}{words}")
    return "; ".join(out)


def released_districts(districts: pd.DataFrame, released: Released | None,
                       figures: Iterable[str]) -> pd.DataFrame:
    """The rows of ``districts`` (a city's district frame, with ``district_id``) whose
    ``figures`` the release lets through: what a group figure (a quintile, a Lorenz curve, a
    share of households) may be computed over on the portal. A sum over part of a city minus
    its released members would otherwise give a withheld district's value. All rows when
    ``released`` is None (the planner's mode)."""
    if released is None:
        return districts
    held = released.withheld.set_index(released.withheld["district_id"].astype(str))
    out = held[list(figures)].any(axis=1).reindex(districts["district_id"].astype(str))
    return districts[~out.fillna(True).to_numpy()]


def withheld_reasons(released: Released, figure: str, district_ids) -> list[str]:
    """Per district of ``district_ids`` (any order): its public reason when ``figure`` is
    withheld there, else ""."""
    mask = released.withheld.set_index(released.withheld["district_id"].astype(str))[figure]
    why = released.reasons.set_index(released.reasons["district_id"].astype(str))[figure]
    ids = [str(d) for d in district_ids]
    return [public_reason(why.get(d, "")) if bool(mask.get(d, False)) else "" for d in ids]


def withheld_row(n: int) -> dict:
    """The legend row of the ``n`` districts drawn as withheld."""
    return {"color": "#{:02x}{:02x}{:02x}".format(*WITHHELD[:3]),
            "label": f"{WITHHELD_LABEL} ({n:,} district{'' if n == 1 else 's'})"}


def on_map(view, released: Released, figure: str):
    """``view`` (a map of ``figure``: a :class:`core.assess.maps.Choropleth`, or any frozen
    dataclass with ``properties``, ``fill`` and ``legend`` whose withheld values are blank)
    with its withheld districts in the withheld colour, their value shown as a dash, a
    :data:`WITHHELD_PROPERTY` property "withheld: <reason>" for the tooltip, and a legend
    entry; "no data" counts only the districts that have none."""
    reasons = withheld_reasons(released, figure, view.properties["district_id"])
    hit = np.array([bool(r) for r in reasons])
    props = view.properties.assign(**{WITHHELD_PROPERTY: [f"withheld: {r}" if r else ""
                                                          for r in reasons]})
    if not hit.any():
        return replace(view, properties=props)
    no_data = int((pd.isna(props["value"]).to_numpy() & ~hit).sum())
    props.loc[hit, "value"] = np.nan
    props.loc[hit, "value_text"] = BLANK
    props.loc[hit, "data"] = WITHHELD_LABEL
    fill = [list(WITHHELD) if h else f for f, h in zip(view.fill, hit, strict=True)]
    rows = [r for r in view.legend if not r["label"].startswith("no data")]
    rows += ([maps.no_data_row(no_data)] if no_data else []) + [withheld_row(int(hit.sum()))]
    changes = {"properties": props, "fill": fill, "legend": rows}
    if hasattr(view, "outlined"):
        changes["outlined"] = np.asarray(view.outlined) & ~hit
    return replace(view, **changes)


def on_labels(labels, released: Released, figure: str, district_ids) -> tuple[list[str], list[str]]:
    """Category labels of a map (e.g. "disadvantaged") with each district whose ``figure`` is
    withheld labelled :data:`WITHHELD_LABEL`, and the tooltip line of each district."""
    reasons = withheld_reasons(released, figure, district_ids)
    return ([WITHHELD_LABEL if r else str(lab) for lab, r in zip(labels, reasons, strict=True)],
            [f"withheld: {r}" if r else "" for r in reasons])


def categorical(labels, colors: dict[str, str]) -> tuple[list[list[int]], list[dict]]:
    """:func:`core.assess.maps.categorical` with the withheld colour for the withheld label."""
    return maps.categorical(labels, {**colors, WITHHELD_LABEL: withheld_row(0)["color"]})


#: headline totals (figure, label, unit, divisor): the Overview's KPIs as the release allows
_KPIS = (("population", N_("Population"), "persons", 1.0),
         ("electricity_kwh", N_("Electricity"), "GWh/yr", KWH_PER_GWH),
         ("gas_kwh", N_("Gas"), "GWh/yr", KWH_PER_GWH))


def kpis(released: Released) -> list[Kpi]:
    """The city's headline totals as published: each over what its :class:`Total` covers
    (the released districts, or all of them with noise), which its help says."""
    out = []
    for key, label, unit, divisor in _KPIS:
        if (total := released.totals.get(key)) is not None:
            out.append(Kpi(_(label), total.value / divisor, unit,
                           _("sum over {which}").format(which=_(total.scope))))
    return out


def profile_values(profile: pd.DataFrame, released: Released, district_id: str) -> list[str]:
    """Per row of a district profile (``key`` column): "withheld: <reason>" where the
    district's figure is withheld, else ""."""
    return [withheld_reasons(released, key, [district_id])[0] if key in released.figures else ""
            for key in profile["key"]]
