"""Intake: a user's files become a validated :class:`~core.intake.city.City`.

Reading (formats, readers, documents), naming and units (columns, mapping, units),
joining and cleaning (staging), checking (schema, geometry, quality), and the city itself.
"""
