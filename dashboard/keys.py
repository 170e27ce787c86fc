"""Every widget key and session-state key, in one place."""

# session state
CITY = "gp_city"  # the active core.intake.city.City
CITY_KEY = "gp_city_key"  # a short id of the active city, for caches
SELECTED_DISTRICT = "gp_selected_district"
CITY_PARAM = "city"  # URL query parameter: the store id of the city in use
CALLBACK_ERROR = "gp_callback_error"  # error id of a widget callback that failed
# the store (issue 11)
CITY_ID = "gp_city_id"  # the store id of the active city (absent: not saved)
SCENARIO_PARAM = "scenario"  # URL query parameter: the store id of the open saved scenario
OPEN_SCENARIO = "gp_open_scenario"  # the core.store.StoredScenario open in the sidebar
OPEN_CHECK = "gp_open_check"  # set when a saved scenario was opened: the sliders are checked
PENDING_WIDGETS = "gp_pending_widgets"  # widget values to set at the start of the next run
WARNINGS = "gp_warnings"  # messages about the address or the store, shown once by the frame
ADDRESS = "gp_address"  # (city id, scenario id) the session last wrote into the URL
LANGUAGE = "lang"  # widget key and URL query parameter of the language (core.i18n): ?lang=zh
PAGE_LANGUAGE = "gp-page-language"  # the element that sets <html lang> (dashboard.language)
PORTAL_SOLVING = "gp_portal_solving"  # the portal: this session's solve lock (dashboard/portal.py)
MENU = "gp-menu"  # the sidebar's menu (a container: CSS class st-key-gp-menu)
MAP_SENT = "gp_map_sent"  # keys of the map data this session sent to the browser (dashboard.map)

# widgets: Overview map
OVERVIEW_INDICATOR = "overview_indicator"
OVERVIEW_SCHEME = "overview_scheme"
OVERVIEW_CLASSES = "overview_classes"
OVERVIEW_MAP = "overview_map"
OVERVIEW_DOWNLOADS = "overview_downloads"  # + "_" + format: the portal's open data

# widgets: District profile
PROFILE_DISTRICT = "profile_district"
PROFILE_MAP = "profile_map"

DEFAULT_CITY_KEY = "default"

# widgets and state: Data page (issue 3)
DATA_BOUNDARIES = "data_boundaries"
DATA_ATTRIBUTES = "data_attributes"
DATA_LAYER = "data_layer"
DATA_BOUNDARY_ID = "data_boundary_id"
DATA_ATTRIBUTE_ID = "data_attribute_id"
DATA_CRS = "data_crs"
DATA_ENCODING = "data_encoding"  # + the table's digest: one choice per uploaded table
DATA_MAPPING_FILE = "data_mapping_file"
DATA_MAPPING_EDITOR = "data_mapping_editor"
DATA_DROP_DUPLICATES = "data_drop_duplicates"
DATA_IGNORE_ZEROS = "data_ignore_zeros"
DATA_EXCLUDE = "data_exclude"
DATA_USE = "data_use"
DATA_RESET = "data_reset"
DATA_MAP = "data_map"
DATA_DOWNLOADS = "data_downloads"  # + "_" + format: the portal's open data
DATA_NOTICE = "gp_data_notice"  # message shown after the active city changed
DATA_CITY_NAME = "data_city_name"
DATA_DEGREE_DAYS = "data_degree_days"  # optional monthly degree-day table
DATA_ESTIMATE = "data_estimate"  # + "_" + figure name: a figure used to estimate a column
# widgets and state: the Data page's reference values (issue 10)
REFERENCES = "gp_references"  # the session's ReferenceValues (None: each city's own)
CITY_BASE = "gp_city_base"  # (city, key) of the active city before the session's references
DATA_REFERENCES_FILE = "data_references_file"
DATA_REFERENCES_EDITOR = "data_references_editor"
DATA_REFERENCES_APPLY = "data_references_apply"
DATA_REFERENCES_RESET = "data_references_reset"

# widgets: Scenario lab sidebar (entry point; bound to query parameters)
LAB_BUDGET = "budget"
LAB_HORIZON = "horizon"
LAB_GRID = "grid_decarb_pct"
LAB_GRID_PATH = "grid_path"
LAB_ELECTRICITY_PRICE = "elec_price"
LAB_GAS_PRICE = "gas_price"
LAB_CARBON_PRICE = "carbon_price"
LAB_JUSTICE40 = "j40_pct"
LAB_EQUITY_WEIGHT = "equity_weight"
LAB_OBJECTIVE = "objective"
LAB_DIMINISHING = "diminishing"
LAB_INTERACTIONS = "interactions"
LAB_BURDEN_CAP = "burden_cap"  # checkbox: cap the energy burden
LAB_BURDEN_CEILING = "burden_ceiling_pct"  # slider: the ceiling (% of income)
# session state: Scenario lab
LAB_SCENARIO = "gp_lab_scenario"  # the core.plan.scenario.Scenario the sidebar describes
LAB_SWEEPS = "gp_lab_sweeps"  # {plan and scenario: (Pareto, Monte Carlo, footprint, where solved)}
LAB_HIGHS = "gp_lab_highs"  # {city key + scenario id: HiGHS check}
# widgets: Scenario lab page
LAB_MAP_LAYER = "lab_map_layer"
LAB_RUN_SWEEPS = "lab_run_sweeps"
LAB_DOWNLOADS = "lab_downloads"  # + "_" + format: the portal's open data (dashboard/downloads.py)
LAB_CHECK_HIGHS = "lab_check_highs"
LAB_MAP = "lab_map"
LAB_USE_PREDICTED = "lab_use_predicted"  # toggle: plan with the energy model's predictions

# widgets and state: saving a scenario, briefings (issue 11)
LAB_SAVE_NAME = "lab_save_name"
LAB_SAVE_TAGS = "lab_save_tags"
LAB_SAVE_NOTES = "lab_save_notes"
LAB_SAVE = "lab_save"
LAB_SAVED_NOTICE = "gp_lab_saved_notice"  # message after a save, shown once by the Lab
LAB_SAVE_CLEAR = "gp_lab_save_clear"  # set after a save: the name, tags and notes are emptied
BRIEFINGS = "gp_briefings"  # {briefing key: (pdf bytes, html bytes, file stem)}
LAB_BRIEFING = "lab_briefing"  # button: prepare the Lab's briefing
COMPARE_BRIEFING = "compare_briefing"  # button: prepare the Compare page's briefing
SCENARIOS_BRIEFING = "scenarios_briefing"  # button: a published scenario's briefing (portal)

# widgets and state: Scenarios page (issue 11)
SCENARIOS_CITY = "scenarios_city"
SCENARIOS_SEARCH = "scenarios_search"
SCENARIOS_TAG = "scenarios_tag"
SCENARIOS_PICK = "scenarios_pick"
SCENARIOS_OPEN = "scenarios_open"
SCENARIOS_DUPLICATE = "scenarios_duplicate"
SCENARIOS_DELETE = "scenarios_delete"
SCENARIOS_UNDO = "scenarios_undo"
SCENARIOS_NAME = "scenarios_name"
SCENARIOS_TAGS = "scenarios_tags"
SCENARIOS_NOTES = "scenarios_notes"
SCENARIOS_UPDATE = "scenarios_update"
SCENARIOS_DELETED = "gp_scenarios_deleted"  # the StoredScenario last deleted (for undo)
SCENARIOS_NOTICE = "gp_scenarios_notice"  # message after an action, shown once

# widgets: Compare page (issue 11)
COMPARE_PICK = "compare_pick"
COMPARE_LAYER = "compare_layer"
COMPARE_DIFFERENCE = "compare_difference"
COMPARE_MAP = "compare_map"  # + "_" + letter

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
