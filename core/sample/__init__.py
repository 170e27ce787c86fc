"""Seeded sample data for scale tests, benchmarks and the data build; never imported by the app."""
