"""Solvers of the linear allocation problem."""
