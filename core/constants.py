"""Constants of geography and units that several steps share, defined once."""

from __future__ import annotations

#: Geographic coordinates (lon/lat) of every city inside Greenprint and of every map.
WGS84_EPSG = 4326
WGS84 = f"EPSG:{WGS84_EPSG}"
#: Areas and lengths are measured in WGS 84 / NSIDC EASE-Grid 2.0 Global (equal-area, any city).
EQUAL_AREA_CRS = "EPSG:6933"
M2_PER_KM2 = 1e6
