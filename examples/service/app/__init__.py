"""An order service that departs from the standard on purpose (see README.md)."""
