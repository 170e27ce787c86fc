"""The Compare page's plumbing: the saved scenarios to compare, their maps on one colour
scale, their charts, and the comparison's files and briefing (core.plan.compare)."""
