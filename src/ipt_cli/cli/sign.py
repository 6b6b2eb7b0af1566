"""`ipt sign` (finalise a session: it can no longer change) and `ipt verify` (check every
signed session: hash chain, key signatures, order)."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common, sealing
from ipt_cli.errors import DataError, InputError, VerificationError

if TYPE_CHECKING:
    from ipt_cli.core.models import Course

SessionRef = Annotated[
    str | None,
    typer.Argument(
        metavar="SESSION",
        help="The session: its number (mN = maintenance session N) or its date (YYYY-MM-DD).",
        show_default=False,
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="NAME",
        help="Who signs (default: signer in config.toml).",
        show_default=False,
    ),
]


def sign(
    ctx: typer.Context,
    course_id: common.CourseId,
    session: SessionRef = None,
    sign_all: Annotated[
        bool, typer.Option("--all", help="Sign every session not yet signed, in order.")
    ] = False,
    by: ByOption = None,
) -> None:
    """Sign a session: its recorded fields can no longer change through ipt.

    The signature is a SHA-256 hash of the session's canonical content chained to the
    previous signature (docs/signing.md); with sign_key in config.toml, ssh-keygen also
    signs the hash. Corrections after signing are signed addenda: ipt session --amend.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import record

    if (session is None) == (not sign_all):
        raise InputError("name one SESSION, or give --all (not both)")
    name = sealing.required_signer(ctx, by)
    seal, at, wall = sealing.sealer(ctx), sealing.now(), sealing.wall_clock()
    store, out = common.store(ctx), common.output(ctx)
    if sign_all:
        done = store.update(course_id, lambda c: record.sign_all(c, name, at, seal, wall=wall))
        out.done(f"Signed {len(done)} session(s) of {course_id} as {name}: {', '.join(done)}.")
        return
    assert session is not None
    ref = session

    def sign_one(course: "Course") -> tuple[str, str, str | None]:
        where = record.sign(course, ref, name, at, seal, wall=wall)
        signature = record.session_of(where).signature
        assert signature is not None
        return where.described, signature.hash, signature.key

    described, digest, key = store.update(course_id, sign_one)
    keyed = f"; key signature {key}" if key else ""
    out.done(f"Signed {described} of {course_id} as {name} (SHA-256 {digest[:16]}...{keyed}).")


def verify(
    ctx: typer.Context,
    course_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[COURSE_ID]", help="One course (default: every course).", show_default=False
        ),
    ] = None,
    allowed_signers: Annotated[
        Path | None,
        typer.Option(
            "--allowed-signers",
            metavar="FILE",
            help="ssh-keygen allowed_signers file (default: allowed_signers in config.toml, "
            "else <data>/allowed_signers).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Check every signed session: hash chain, key signatures, order of addenda.

    Exits 0 when all hold (a course with nothing signed holds), 9 naming each course,
    session and what broke when any does not, 4 when a course file cannot be read.
    """
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.store.ssh_signatures import Verification
    from ipt_cli.store.verify import allowed_signers as signers_file
    from ipt_cli.store.verify import course_ids, verify_courses
    from ipt_cli.views import verify as views

    store, out = common.store(ctx), common.output(ctx)
    ids = [course_id] if course_id else course_ids(store)
    results = verify_courses(store, ids, signers_file(store, allowed_signers))
    if as_json:
        out.json([views.verification_json(r) for r in results])
    else:
        for result in results:
            out.data("\n".join(views.verification_lines(result)) + "\n")
        if not results:
            out.done("No courses yet: nothing to verify.")
    checked = [r for r in results if isinstance(r, Verification)]
    broken = [r for r in checked if not r.holds]
    if broken:
        problems = sum(len(r.problems) for r in broken)
        names = ", ".join(r.course.id for r in broken)
        raise VerificationError(
            f"verification failed: {problems} problem(s) in {names}; the record was changed "
            "after signing (see the lines above)"
        )
    unreadable = [r.course_id for r in results if not isinstance(r, Verification)]
    if unreadable:
        raise DataError(", ".join(unreadable), ["cannot be read, so not verified"])


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt sign ab-2026 3 --by 'Dr K.'\n\n  ipt sign ab-2026 "
        "2026-01-26\n\n  ipt sign ab-2026 --all"
    )(sign)
    app.command(
        epilog="Examples:\n\n  ipt verify\n\n  ipt verify ab-2026 --allowed-signers "
        "~/.config/ipt/allowed_signers"
    )(verify)
