"""The Streamlit app: only UI. ``app.py`` is the entry point, ``nav`` names the pages,
``state`` holds the session, ``components``/``sidebar``/``guard`` serve every page, and each
page's own plumbing and charts live in the package named after it (``scenario_lab/``, ...)."""
