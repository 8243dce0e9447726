"""Follow-through: what postmortems say happened and what became of their action items, across a repository."""
