"""The manuals' advice when a course without a response moves to maintenance: named, and
confirmed by the clinician (a prompt, or --confirm when no one is asked)."""

from __future__ import annotations

from ipt_cli.errors import InputError, Interrupted
from ipt_cli.interact import prompts
from ipt_cli.views.output import Output


def confirm_despite_non_response(
    out: Output,
    advice: str | None,
    what: str,
    confirm: bool,
    interactive: bool,
    reason: str = "the course has no response",
) -> None:
    """Show the advice; go on only when the clinician confirms `what` all the same."""
    if advice is None:
        return
    out.notice(advice)
    if confirm:
        return
    if not interactive:
        raise InputError(f"{reason}; to record {what} all the same, add --confirm")
    if not prompts.confirm(f"Record {what} all the same?", default=False):
        raise Interrupted("nothing was recorded, as you asked")
