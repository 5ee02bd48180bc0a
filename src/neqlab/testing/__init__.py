"""Shipped test helpers and analytic reference systems (like pymbar.testsystems)."""
