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

# widgets and state: Energy model (issue 4)
MODEL_FOLDS = "model_folds"
MODEL_SEED = "model_seed"
MODEL_RETRAIN = "model_retrain"
MODEL_RESULT = "gp_model_result"  # (city key, Evaluation) of the last retrain in this session
MODEL_TARGET = "model_target"
MODEL_MAP = "model_residual_map"

# widgets: Equity (issue 4)
EQUITY_BURDEN_PCT = "equity_burden_percentile"
EQUITY_LOW_INCOME_PCT = "equity_low_income_percentile"
