"""Assessment: what the city's data says, district by district.

Indicators and KPIs, carbon, energy cost and burden (equity), inequality and spatial
statistics, and the map classes and colours.
"""
