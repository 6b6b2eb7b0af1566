"""Asking a person: prompts, the assessment wizard, the interactive session and the editor
round-trip of `ipt edit`. Each returns typed values; none decides a clinical rule.

May import: `ipt_cli.views`, `ipt_cli.store`, `ipt_cli.core`, `ipt_cli.errors` and Rich.
Never Typer or the CLI.
"""
