"""Password hashing: the unknown-user check costs what a real one does, and import is free."""

from __future__ import annotations

import subprocess
import sys

from desk.services import passwords


def test_unknown_user_check_uses_the_same_argon2_parameters_as_real_hashes() -> None:
    # Same parameters, same verify time: a wrong user name is not told apart by timing.
    assert not passwords.needs_rehash(passwords._DUMMY_HASH)
    assert passwords.verify(None, "not-a-real-password-for-timing") is False


def test_importing_the_module_hashes_nothing() -> None:
    # The sign-in click imports this module; a hash at import was a second argon2 run
    # (0.3 s or more) on every first sign-in.
    code = (
        "import argon2\n"
        "calls = []\n"
        "real = argon2.PasswordHasher.hash\n"
        "argon2.PasswordHasher.hash = lambda s, *a, **k: calls.append(1) or real(s, *a, **k)\n"
        "import desk.services.passwords\n"
        "print(len(calls))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


def test_a_hash_verifies_its_password_only() -> None:
    stored = passwords.hash_password("correct horse")
    assert passwords.verify(stored, "correct horse")
    assert not passwords.verify(stored, "wrong horse")
