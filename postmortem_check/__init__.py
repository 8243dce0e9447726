"""postmortem-check: lint incident postmortems against a JSON Schema and keep their action items in GitHub issues."""

__version__ = "0.1.0"  # the one place the version is written; pyproject.toml reads it
VERSION_LINE = f"postmortem-check {__version__}"  # what ``--version`` prints
CONFIG_NAMES = (".postmortem-check.yaml", ".postmortem-check.yml")  # the config files, looked for upward
PYPROJECT = "pyproject.toml"  # a config too, when it has a [tool.postmortem-check] table
