"""Every widget key and session-state key, in one place."""

# session state
CITY = "gp_city"  # the active core.city.City
CITY_KEY = "gp_city_key"  # a short id of the active city, for caches
SELECTED_DISTRICT = "gp_selected_district"

# widgets: Overview map
OVERVIEW_INDICATOR = "overview_indicator"
OVERVIEW_SCHEME = "overview_scheme"
OVERVIEW_CLASSES = "overview_classes"
OVERVIEW_MAP = "overview_map"

# widgets: District profile
PROFILE_DISTRICT = "profile_district"
PROFILE_MAP = "profile_map"

DEFAULT_CITY_KEY = "default"
