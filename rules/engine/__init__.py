"""The engine's own codes: BP000 (syntax errors) and BP001 (unused suppressions)."""
