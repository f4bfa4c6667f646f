"""An unknown user of a `local` group costs as much time as a known user with a wrong password
(SPEC §3): the decoy check uses the users file's own scheme and cost (its first entry's hash), so
a file of slow hashes does not give away which names exist by a fast refusal."""
import ctypes
import time

from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection

# sha512-crypt with many rounds: slow enough (about a second) to tell from the default scheme
# of a decoy (yescrypt's default cost, a few tens of milliseconds).
SETTING = b"$6$rounds=2000000$e2edecoysalt$"


def slow_hash(password: str) -> str:
    libcrypt = ctypes.CDLL("libcrypt.so.1")
    libcrypt.crypt.restype = ctypes.c_char_p
    libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    return libcrypt.crypt(password.encode(), SETTING).decode()


def timed_refusal(postern, pki, user: str) -> float:
    conn = ImapConnection(postern.port, pki.ca_cert, timeout=60)
    try:
        started = time.monotonic()
        assert conn.login(user, WRONG_PASSWORD).status == "NO"
        return time.monotonic() - started
    finally:
        conn.close()


def test_an_unknown_user_costs_what_a_wrong_password_does(start_postern, pki):
    postern = start_postern()
    # Rewritten in place (owner and mode kept); authd reads it again on the next check.
    users_file = postern.directory / "users"
    users_file.write_text("".join(f"{name}:{slow_hash(MAIL_USERS[name])}\n" for name in ("alice", "bob")))
    # Two refusals only: the failure penalty delays from the third on.
    known = timed_refusal(postern, pki, "alice")
    unknown = timed_refusal(postern, pki, "nobody-here")
    assert known > 0.3, f"the slow hash took {known:.2f}s; the test cannot tell costs apart"
    assert unknown >= 0.6 * known, (known, unknown)
