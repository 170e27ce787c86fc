"""Seeded sample data for the data build, scale tests and benchmarks; never imported by the app.

``attributes`` generates a city's illustrative attribute table from its polygons,
``parameters`` reads the generator's sourced figures, ``geometry`` measures the polygons,
``tessellation`` draws gap-free cities of any size.
"""
