"""The clinical model and its rules, pure.

Pydantic models of a course, the catalogue (phases, tasks, problem areas, strategies,
techniques as data), the measures and their scoring, planning (phases, agendas, dates),
progress (the report model), safety flags, the assessment's logic and the changes a command
makes to a course. Functions here receive `today` and data and return data.

May import: the standard library, pydantic and `ipt_cli.errors`. Never the store, the views,
the prompts, the CLI, Rich or Typer (an import-linter contract in CI holds this).
"""
