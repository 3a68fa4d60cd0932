"""``python -m precepts``: the same as the ``precepts`` command."""

from precepts.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
