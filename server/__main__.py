"""``python -m precepts.server``: the same as ``precepts serve``."""

from precepts.server.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
