"""One error root for every expected failure, and the exit codes the CLI documents."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of `ipt`; README.md lists them. Scripts rely on these numbers."""

    OK = 0
    UNEXPECTED = 1  # a bug: rerun with IPT_DEBUG=1 for the trace
    USAGE = 2  # bad option, argument or value (also click's own usage errors)
    NOT_FOUND = 3  # no such course or file
    DATA_ERROR = 4  # a stored file does not parse or validate
    CONFLICT = 5  # the action clashes with stored state (duplicate id, contract full)
    LOCKED = 6  # another ipt process kept the course locked too long
    IO_ERROR = 7  # the disk refused a read or write
    UNSAFE = 8  # a file or folder is not safely ours; or the age identity is missing or wrong
    VERIFY_FAILED = 9  # a signed record no longer verifies (hash chain or key signature)
    SYNC = 10  # git refused: no remote, a rejected push, a pull that could not be merged
    INTERRUPTED = 130  # Ctrl-C or end of input at a prompt
    BROKEN_PIPE = 141  # the reader of our output went away (as `ipt guide | head` does)


class IptError(Exception):
    """An expected failure with a one-line, user-facing message (never note text)."""

    exit_code: ExitCode = ExitCode.UNEXPECTED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(IptError):
    exit_code = ExitCode.USAGE


class NotFoundError(IptError):
    exit_code = ExitCode.NOT_FOUND


class DataError(IptError):
    """A stored file that does not parse or validate; it is never overwritten."""

    exit_code = ExitCode.DATA_ERROR

    def __init__(self, path: object, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{self.path}: " + "; ".join(problems))


class ConflictError(IptError):
    exit_code = ExitCode.CONFLICT


class LockTimeoutError(IptError):
    exit_code = ExitCode.LOCKED


class StorageIOError(IptError):
    exit_code = ExitCode.IO_ERROR


class UnsafeFileError(IptError):
    exit_code = ExitCode.UNSAFE


class IdentityError(IptError):
    """An encrypted data folder whose identity (key file or passphrase) is missing or wrong;
    nothing is written."""

    exit_code = ExitCode.UNSAFE


class SyncError(IptError):
    """git failed during `ipt sync` (the data folder is left as it was before the pull)."""

    exit_code = ExitCode.SYNC


class VerificationError(IptError):
    """A signed session, entry or key signature that no longer verifies."""

    exit_code = ExitCode.VERIFY_FAILED


class Interrupted(IptError):
    exit_code = ExitCode.INTERRUPTED
