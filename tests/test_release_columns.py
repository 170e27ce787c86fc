"""The utility customer columns the release rule reads (electricity_customers, gas_customers,
largest_*_customer_share): suggested from the names utilities and statistical offices use,
converted from percent, checked like any count or share, and never generated."""

from __future__ import annotations

import pandas as pd
import pytest

from core.assess.indicators import indicator_table
from core.errors import CityValidationError
from core.intake import columns as cols
from core.intake import mapping
from core.intake.city import load_city
from core.release import release
from core.sample.attributes import ATTRIBUTE_COLUMNS


@pytest.mark.parametrize("name, target", [
    ("ELECTRICITY ACCOUNTS", "electricity_customers"),  # City of Chicago, Energy Usage 2010
    ("GAS ACCOUNTS", "gas_customers"),
    ("Number of domestic electricity meters", "electricity_customers"),  # DESNZ LSOA tables
    ("Gas customers", "gas_customers"),
    ("elec_customer_count", "electricity_customers"),
    ("largest_elec_customer_pct", "largest_electricity_customer_share"),
    ("gas top customer share", "largest_gas_customer_share"),
    ("ZERO KWH ACCOUNTS", None),  # a subset of the accounts
    ("kwh_per_account", None),  # an average per customer
    ("mean gas use per meter", None),
    ("max_customer_kwh", None),  # the largest customer's amount, not its share
    ("Number of meters", None),  # no fuel named
])
def test_customer_columns_are_suggested_from_their_names(name, target):
    assert mapping.suggest([name]).columns.get(name) == target


def test_a_largest_share_in_percent_is_converted_and_checked_like_any_share(grid4):
    table = pd.DataFrame({"district_id": ["1", "2", "3", "4"], "population": [500] * 4,
                          "TOTAL KWH": [1e6, 2e6, 3e6, 4e6],
                          "ELECTRICITY ACCOUNTS": [10, 300, 400, 500],
                          "largest_elec_customer_pct": [5.0, 40.0, 10.0, 12.0]})
    suggested = mapping.suggest(list(table.columns))
    assert suggested.units == {"largest_electricity_customer_share": "percent"}
    city = load_city(grid4, table, suggested)
    assert city.districts["largest_electricity_customer_share"].tolist() == [0.05, 0.4, 0.1, 0.12]
    released = release(city, indicator_table(city))
    assert set(released.withheld_ids("electricity_kwh")) >= {"1", "2"}
    assert released.withheld_ids("population") == ()
    with pytest.raises(CityValidationError, match="largest_electricity_customer_share"):
        load_city(grid4, table.assign(largest_elec_customer_pct=[5.0, 140.0, 10.0, 12.0]),
                  suggested)


def test_the_customer_columns_are_optional_counts_and_shares_never_generated():
    for fuel, (count, share) in cols.CUSTOMERS.items():
        assert cols.CANONICAL[count].kind == "count" and cols.CANONICAL[share].kind == "share"
        assert cols.CANONICAL[count].need == cols.CANONICAL[share].need == "optional"
        assert fuel in cols.CANONICAL[count].description
        assert count not in ATTRIBUTE_COLUMNS and share not in ATTRIBUTE_COLUMNS
