"""The Scenarios page's plumbing: listing a city's saved scenarios, and the callbacks that
open, rename, duplicate, delete and restore them (core.store)."""
