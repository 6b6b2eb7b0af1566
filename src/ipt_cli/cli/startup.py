"""The life of one `ipt` process: set up before the first import of the stack, and end
without the interpreter's teardown once everything is written.

A command lives for a fraction of a second; these steps are measured in
docs/performance.md.
"""

import gc
import os
import sys
import types
from typing import Any

EXIT_BROKEN_PIPE = 141
YOUNG_COLLECTION_EVERY = 10_000  # new container objects (Python's default: 700)


def prepare() -> None:
    """Before pydantic or the models are imported."""
    # (gc.disable() was here until issue 30: measured A/B it saved 2-3% of a report or a
    # session and cost 11% of a cold 1,000-course list; docs/performance.md.) A young
    # collection every 10,000 new objects instead of 700: a course's parsed TOML and its
    # models are all kept until the command ends, so the default's frequent passes over
    # them found nothing to free and took a fifth of a 2,000-session report.
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    # ipt uses no pydantic plugins; skipping their discovery (a scan of every installed
    # package's entry points) saves about 25 ms on every command that reads a course.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__":
        _skip_plugin_loader()


def _skip_plugin_loader() -> None:
    """pydantic's plugin loader imports importlib.metadata (and with it email, socket and
    zipfile, ~15-30 ms) at import even when plugins are disabled. With every plugin
    disabled, its one function always returns no plugins: stand in for it. A test pins
    that a cold report never imports importlib.metadata, and that pydantic still works."""
    if "pydantic.plugin._loader" in sys.modules:
        return
    stand_in = types.ModuleType("pydantic.plugin._loader")

    def get_plugins() -> tuple[()]:
        return ()

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    sys.modules["pydantic.plugin._loader"] = stand_in


def finish(code: Any) -> None:
    """Flush and close the standard streams, then leave at once: every write, lock release
    and file close of the command has happened by now; only the teardown is skipped."""
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            status = status or EXIT_BROKEN_PIPE
        except (OSError, ValueError):
            pass  # a closed stream: nothing more can be said on it
    os._exit(status)
