"""Files: where the data folder is, config.toml, atomic writes and locks, the course store and
its backups, the `ipt list` index (a cold rebuild shared with forked workers: workers.py),
doctor, and migrations of older course files.

Knows nothing of clinical rules beyond validating what it reads through the core's models.
May import: `ipt_cli.core` and `ipt_cli.errors`. Never the views, prompts, CLI, Rich or Typer.
"""
