"""Core principles and Python rules (BP1xx)."""
