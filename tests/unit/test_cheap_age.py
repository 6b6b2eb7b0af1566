"""The tests' cheap passphrase seal is the standard age format: pyrage opens it."""

from __future__ import annotations

import pytest
from pyrage import passphrase

from tests.cheap_age import seal_with_passphrase


@pytest.mark.parametrize("size", [0, 5, 64 * 1024, 64 * 1024 + 1, 200_000])
def test_pyrage_opens_what_the_cheap_seal_writes(size: int) -> None:
    text = bytes(i % 251 for i in range(size))
    assert passphrase.decrypt(seal_with_passphrase(text, "correct horse"), "correct horse") == text


def test_the_wrong_passphrase_does_not_open_it() -> None:
    with pytest.raises(Exception, match="(?i)decrypt|passphrase|header"):
        passphrase.decrypt(seal_with_passphrase(b"secret", "correct horse"), "wrong")
