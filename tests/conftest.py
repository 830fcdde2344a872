"""Shared pytest configuration: a fixed hypothesis profile so CI runs are bounded and reproducible."""

from hypothesis import settings

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.load_profile("ci")
