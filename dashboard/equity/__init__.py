"""The Equity page's charts and its cached spatial clusters."""
