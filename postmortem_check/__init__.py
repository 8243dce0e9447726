"""postmortem-check: lint incident postmortems against a JSON Schema and keep their action items in GitHub issues."""

__version__ = "0.1.0"
