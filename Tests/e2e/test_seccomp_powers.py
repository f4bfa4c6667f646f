"""What the seccomp filters forbid beyond the calls a role never makes (SPEC §1): authd and the
relays open files for reading only, a relay binds no socket, and the listener and the relays map
no code once they run (authd's libldap loads modules on first use). The test hook (debug builds, POSTERN_TEST_HOOKS=1) makes a role try the call
named by POSTERN_TEST_FORBIDDEN on SIGUSR2; the kernel must kill it and the supervisor say so."""
import os
import signal
from pathlib import Path

import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import login_eventually

WRITTEN = Path("/tmp/postern-test-forbidden-write")


@pytest.mark.parametrize("victim,attempt", [
    ("relay", "open-write"),
    ("authd", "open-write"),
    ("relay", "bind"),
    ("relay", "mmap-exec"),
    ("listener", "mmap-exec"),
])
def test_a_role_that_oversteps_its_powers_is_killed(start_postern, pki, victim, attempt):
    WRITTEN.unlink(missing_ok=True)
    postern = start_postern(environment={"POSTERN_TEST_FORBIDDEN": attempt})
    login_eventually(postern.port, pki.ca_cert, "alice", MAIL_USERS["alice"], timeout=15).logout()
    doomed = postern.pid(victim)
    mark = postern.mark()
    os.kill(doomed, signal.SIGUSR2)
    try:
        died = postern.wait_for("child-died", since=mark, timeout=10, child=victim)
        assert died["signal"] == "SIGSYS" and died["cause"] == "seccomp-violation", died
        assert int(postern.wait_for("seccomp-violation", since=mark, timeout=10, child=victim)["pid"]) == doomed
        assert not WRITTEN.exists(), f"the {victim} created a file"
        postern.wait_for("child-started", since=mark, timeout=15, child=victim)
        login_eventually(postern.port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=15).logout()
    finally:
        WRITTEN.unlink(missing_ok=True)
