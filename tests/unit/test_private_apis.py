"""The private APIs of dependencies that ipt still relies on, pinned loudly.

pyproject.toml bounds rich and pydantic above; when a new release changes one of these,
this file fails with the reason instead of ipt silently losing what the API gave it.
"""

from __future__ import annotations

import importlib.util
import inspect
import io

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment

from ipt_cli.views.console import SafeConsole


def test_rich_still_writes_every_segment_through_render_buffer() -> None:
    """SafeConsole neutralises user text in Console._render_buffer (a private method): the
    net under every renderable that keeps escape codes in a note off the terminal."""
    assert list(inspect.signature(Console._render_buffer).parameters) == ["self", "buffer"], (
        "rich changed Console._render_buffer: SafeConsole's terminal-safety net no longer "
        "sees what is written; move it to the new seam before raising rich's bound"
    )
    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, color_system=None, width=40)
    console.print(_Raw())
    assert "note" in out.getvalue() and "end" in out.getvalue()
    assert "\x1b]" not in out.getvalue()
    plain = io.StringIO()  # the same through Rich's own Console: the escape gets through
    Console(file=plain, force_terminal=True, color_system=None, width=40).print(_Raw())
    assert "\x1b]" in plain.getvalue()


class _Raw:
    """A renderable that yields a segment as it is, past render_str's neutralising."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment("note \x1b]0;owned\x07 end")


def test_pydantic_still_finds_its_plugins_in_the_loader_module_ipt_stands_in_for() -> None:
    """cli/startup.py stands in for pydantic.plugin._loader (a private module) so that a
    command never imports importlib.metadata; pydantic must still import get_plugins from it."""
    assert importlib.util.find_spec("pydantic.plugin._loader") is not None, (
        "pydantic moved its plugin loader: cli/startup.py's stand-in no longer applies"
    )
    import pydantic.plugin._schema_validator as schema_validator

    assert "from ._loader import get_plugins" in inspect.getsource(schema_validator), (
        "pydantic no longer loads plugins through _loader.get_plugins: revisit cli/startup.py"
    )
