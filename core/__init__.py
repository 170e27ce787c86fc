"""Greenprint's domain: city data, models, indicators, optimizer, scenarios, reports.

Never imports streamlit; the app and the CLI are thin doors into this package.
"""

__version__ = "0.1.0"
