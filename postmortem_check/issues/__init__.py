"""Issue sync: one GitHub issue per corrective action item. PyGithub is imported only on this path."""
