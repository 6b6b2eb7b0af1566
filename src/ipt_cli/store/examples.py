"""The fictional example courses shipped inside the package (used by `ipt demo`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ipt_cli.core.group import Group
from ipt_cli.core.models import Course
from ipt_cli.errors import NotFoundError
from ipt_cli.store.format import parse_course
from ipt_cli.store.groups import parse_group

DEFAULT_EXAMPLE = "grief-parent"
# The shipped example of each condition (`ipt demo --condition`).
CONDITION_EXAMPLES = {
    "depression": DEFAULT_EXAMPLE,
    "ptsd": "ptsd-assault",
    "eating-disorder": "binge-eating-move",
}


def example_names() -> list[str]:
    folder = resources.files("ipt_cli") / "examples"
    return sorted(
        p.name.removesuffix(".toml")
        for p in folder.iterdir()
        if p.name.endswith(".toml") and not p.name.startswith("assessment")
    )


def load_example(name: str = DEFAULT_EXAMPLE) -> Course:
    resource = resources.files("ipt_cli") / "examples" / f"{name}.toml"
    if not resource.is_file():
        raise NotFoundError(f"no example {name!r}; examples: {', '.join(example_names())}")
    return parse_course(resource.read_text(encoding="utf-8"), Path(str(resource)))


def example_for(condition: str) -> str:
    """The example to replay for a condition; a condition without one is refused."""
    if condition not in CONDITION_EXAMPLES:
        shown = ", ".join(CONDITION_EXAMPLES)
        raise NotFoundError(
            f"no example course for condition {condition!r}; examples exist for: {shown}"
        )
    return CONDITION_EXAMPLES[condition]


# The example replayed by `ipt demo --adaptation X` (the group example is a folder).
ADAPTATION_EXAMPLES = {
    "brief": "adaptations/brief-transition",
    "adolescent": "adaptations/adolescent-dispute",
    "perinatal": "adaptations/perinatal-transition",
    "ipsrt": "adaptations/ipsrt-rhythms",
}
GROUP_EXAMPLE = "who-group"


def load_group_example() -> tuple[Group, list[Course]]:
    """The WHO-model group example: its group file and its members' courses."""
    folder = resources.files("ipt_cli") / "examples" / "group"
    group_file = folder / "groups" / f"{GROUP_EXAMPLE}.toml"
    group = parse_group(group_file.read_text(encoding="utf-8"), Path(str(group_file)))
    members = []
    for course_id in group.members:
        resource = folder / "courses" / f"{course_id}.toml"
        members.append(parse_course(resource.read_text(encoding="utf-8"), Path(str(resource))))
    return group, members
