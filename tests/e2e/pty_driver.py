"""A tiny expect: run a command on a pseudo-terminal, wait for text, type answers."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import subprocess
import termios
import time
from collections.abc import Sequence

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# How long to wait for a prompt, a read or the end: generous, as a loaded machine needs;
# a test that passes never waits for it.
TIMEOUT = 60.0


def _take_terminal() -> None:
    """In the child: lead a new session with the pty as controlling terminal, so that
    Ctrl-C typed on it sends SIGINT as on a real terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, argv: Sequence[str], env: dict[str, str], columns: int = 100) -> None:
        self.master, slave = pty.openpty()
        os.set_inheritable(slave, True)
        env = {**env, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            preexec_fn=_take_terminal,
        )
        os.close(slave)
        self._raw = b""
        self.screen = ""
        self._seen = 0

    def _read(self, timeout: float) -> bool:
        """Read what the program wrote within `timeout`; False once nothing more came (the
        terminal's end: EIO after the program closed it, or the time ran out)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            # The whole output again, not the chunk: a read may end inside an escape
            # sequence or a UTF-8 character, which a chunk-by-chunk strip would leave
            # behind as a stray "ESC[0m" or a replacement character.
            self._raw += chunk
            text = self._raw.decode("utf-8", "replace")
            self.screen = ANSI.sub("", text).replace("\r", "")
            return True
        return False

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until `text` appears after what was already matched; return what came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.screen.find(text, self._seen)
            if found >= 0:
                came = self.screen[self._seen : found + len(text)]
                self._seen = found + len(text)
                return came
            if not self._read(0.1) and self.proc.poll() is not None and not self._read(0.1):
                break  # the program ended and its terminal holds nothing more
        raise AssertionError(f"never saw {text!r}; screen ends with:\n{self.screen[-1500:]}")

    def send(self, answer: str) -> None:
        os.write(self.master, answer.encode() + b"\r")

    def answer(self, prompt: str, reply: str) -> str:
        came = self.expect(prompt)
        self.send(reply)
        return came

    def interrupt(self) -> None:
        """Ctrl-C once the program waits for the person: a SIGINT that lands between
        Python's last check for signals and its blocking read of the terminal is only seen
        at the next key (the program seems to ignore it), so wait for the read itself."""
        self.wait_for_read()
        os.write(self.master, b"\x03")

    def wait_for_read(self, timeout: float = TIMEOUT) -> None:
        """Until the program blocks in read(0, ...) (Linux's /proc/PID/syscall; elsewhere,
        or if it never does, return at the timeout and let the caller's check decide)."""
        path = f"/proc/{self.proc.pid}/syscall"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with open(path) as handle:
                    fields = handle.read().split()
            except OSError:
                return
            if fields[:2] == ["0", "0x0"]:  # syscall 0 (read) on fd 0 (x86-64)
                return
            self._read(0.02)

    def finish(self, timeout: float = TIMEOUT) -> int:
        """Wait for the program to end, then read the terminal to its end: a program that
        wrote more than one read holds and exited between two reads left the rest behind
        (one read after the exit lost the end of a long list on a loaded machine)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        while self._read(1.0):
            pass
        os.close(self.master)
        return self.proc.wait(timeout=timeout)
