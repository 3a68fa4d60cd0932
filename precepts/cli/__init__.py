"""The ``precepts`` command line: a thin front over the engine."""
