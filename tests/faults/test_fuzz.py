"""Property-based fuzzing of course files through every reading command, and exact
round-trips of arbitrary text."""

import datetime as dt
import random
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipt_cli.cli.app import app
from ipt_cli.core import changes
from ipt_cli.core.models import SessionRecord
from ipt_cli.store.courses import CourseStore
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.faults

READERS = [
    ["report", "fz"],
    ["report", "fz", "--format", "json"],
    ["report", "fz", "--format", "html"],
    ["report", "fz", "--format", "markdown"],
    ["plan", "fz"],
    ["agenda", "fz"],
    ["list"],
    ["list", "--json"],
    ["inventory", "fz", "list"],
    ["goal", "fz", "list"],
    ["doctor"],
    ["export", "fz"],
    ["formulation", "fz"],
]
VALID = (EXAMPLES / "dispute-partner.toml").read_bytes()
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def run_all(home: Path, content: bytes) -> None:
    """Every reader gives output or one clear error; a refused write changes nothing."""
    courses = home / "courses"
    courses.mkdir(parents=True, exist_ok=True)
    path = courses / "fz.toml"
    path.write_bytes(content)
    path.chmod(0o600)
    runner = CliRunner()
    env = {"IPT_HOME": str(home), "IPT_TODAY": "2026-06-01"}
    failed = False
    for args in READERS:
        result = runner.invoke(app, args, env=env)
        assert result.exit_code in (0, 4), (args, result.exit_code, result.stderr, result.exception)
        assert "Traceback" not in result.stderr + result.stdout
        if result.exit_code == 4 and args[0] == "doctor":
            assert "fz.toml" in result.stdout and "error" in result.stdout  # a table row
        elif result.exit_code == 4:
            failed = True
            assert "fz.toml" in result.stderr
            assert result.stderr.strip().splitlines()[-1].startswith("ipt: error:")
    write = runner.invoke(app, ["session", "fz", "--date", "2026-05-01", "--note", "new"], env=env)
    assert write.exit_code in (0, 2, 4, 5), (write.exit_code, write.stderr, write.exception)
    if failed:
        assert write.exit_code == 4 and path.read_bytes() == content


def mutate(data: bytes, rng: random.Random, kind: str) -> bytes:
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == "nul":
        at = rng.randrange(len(data))
        return data[:at] + b"\x00" + data[at:]
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "types":
        lines = data.split(b"\n")
        candidates = [i for i, line in enumerate(lines) if b" = " in line]
        i = rng.choice(candidates)
        key = lines[i].split(b" = ")[0]
        lines[i] = (
            key
            + b" = "
            + rng.choice([b'"7"', b"true", b"-3", b"1.5", b"[]", b"{}", b"2026-01-01T00:00:00"])
        )
        return b"\n".join(lines)
    if kind == "duplicate":
        lines = data.split(b"\n")
        i = rng.choice([i for i, line in enumerate(lines) if b" = " in line])
        return b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
    raise AssertionError(kind)


KINDS = ["truncate", "flip", "nul", "crlf", "bom", "types", "duplicate"]


@FUZZ
@given(seed=st.integers(0, 2**32), kind=st.sampled_from(KINDS))
def test_mutated_course_files(
    tmp_path_factory: pytest.TempPathFactory, seed: int, kind: str
) -> None:
    run_all(tmp_path_factory.mktemp("fz"), mutate(VALID, random.Random(seed), kind))


toml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=20)
    | st.dates()
    | st.floats(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
course_keys = st.sampled_from(
    [
        "schema_version",
        "id",
        "client",
        "created",
        "start_date",
        "planned_sessions",
        "cadence",
        "kind",
        "problem_areas",
        "sessions",
        "baseline",
        "goals",
        "inventory",
        "x",
    ]
)


def _drop_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


@FUZZ
@given(document=st.dictionaries(course_keys, toml_values, max_size=10))
def test_random_toml_documents(
    tmp_path_factory: pytest.TempPathFactory, document: dict[str, object]
) -> None:
    text = tomli_w.dumps(_drop_none(document))  # type: ignore[arg-type]
    run_all(tmp_path_factory.mktemp("fz"), text.encode())


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    note=st.text(),
    client=st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"),
        min_size=1,
        max_size=200,
    ),
)
def test_arbitrary_text_round_trips_exactly(
    tmp_path_factory: pytest.TempPathFactory, note: str, client: str
) -> None:
    store = CourseStore(tmp_path_factory.mktemp("rt"))
    course = changes.new_course(
        "rt", client, dt.date(2026, 1, 5), 16, ["grief"], dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    )
    store.create(course)
    store.update(
        "rt", lambda c: changes.add_session(c, SessionRecord(date=dt.date(2026, 1, 12), note=note))
    )
    loaded = store.load("rt")
    assert loaded.sessions[0].note == note and loaded.client == client


def test_a_megabyte_note_with_every_kind_of_character(tmp_path: Path) -> None:
    pieces = [
        "emoji 🙂👩‍👩‍👧",
        "right-to-left שלום مرحبا \u202e",
        "combining e\u0301 a\u0308",
        "controls \x00\x01\x07\x1b\x7f",
        "crlf\r\nlf\ncr\r",
        "quotes \"\"\" ''' \\",
    ]
    note = ("".join(pieces) * 20000)[: 1024 * 1024]
    store = CourseStore(tmp_path)
    store.create(
        changes.new_course(
            "big", "B", dt.date(2026, 1, 5), 16, ["grief"], dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        )
    )
    store.update(
        "big", lambda c: changes.add_session(c, SessionRecord(date=dt.date(2026, 1, 12), note=note))
    )
    assert store.load("big").sessions[0].note == note
