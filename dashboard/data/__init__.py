"""The Data page's plumbing: cached reading of uploads, validation, switching the city."""
