"""``postmortem-check init``: adopt the tool on an existing repository.

One job per module: ``discover`` finds the postmortems, the files beside them and the template;
``learn`` turns the template (or the team's common practice) into a team schema; ``patterns`` writes
the include/exclude globs and the pre-commit regular expressions; ``command`` writes the files and
prints the report.
"""
