"""``python -m postmortem_check``: the same command line as ``postmortem-check``."""

from .cli import run

if __name__ == "__main__":
    run()
