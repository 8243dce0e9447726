"""JSON Schemas shipped with postmortem-check (templates, the common definitions, config and output)."""
