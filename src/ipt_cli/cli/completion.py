"""Shell completion for course ids and catalogue names (Typer calls these on <TAB>)."""

import os
from pathlib import Path

import typer

from ipt_cli.store.paths import DataPaths, resolve_data_dir


def course_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Course ids in the data folder the command line (or IPT_HOME) points at."""
    root = ctx.find_root()
    option = root.params.get("data_dir") if root is not None else None
    try:
        courses = DataPaths(resolve_data_dir(Path(option) if option else None)).courses
        names = [
            e.name.split(".toml")[0]
            for e in os.scandir(courses)
            if e.name.endswith((".toml", ".toml.age")) and not e.name.startswith(".")
        ]
    except OSError:
        return []
    return sorted(n for n in names if n.startswith(incomplete))


def _matching(names: list[str], incomplete: str) -> list[str]:
    return [n for n in names if n.startswith(incomplete)]


def strategies(incomplete: str) -> list[str]:
    # lazy: keeps core.catalogue off `ipt list`
    from ipt_cli.core.catalogue import PROBLEM_AREAS, strategy_ids

    return _matching(sorted(strategy_ids(list(PROBLEM_AREAS))), incomplete)


def guide_topics(incomplete: str) -> list[str]:
    # lazy: keeps views.guide (12 modules) off start-up
    from ipt_cli.views.guide import topic_names

    return _matching(topic_names(), incomplete)
