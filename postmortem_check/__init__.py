"""postmortem-check: lint incident postmortems against a JSON Schema and keep their action items in GitHub issues."""

__version__ = "0.1.0"  # the one place the version is written; pyproject.toml reads it
VERSION_LINE = f"postmortem-check {__version__}"  # what ``--version`` prints
