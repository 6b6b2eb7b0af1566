"""The command-line shell: Typer lives only in this package."""
