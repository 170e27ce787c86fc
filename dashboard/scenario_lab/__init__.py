"""The Scenario lab page's plumbing (cached solves, sweeps, the HiGHS check) and its charts."""
