"""SIGTERM stops postern at once: the supervisor sends every child `shutdown` (it never signals
them), each role's charter accepts it, and none waits for its channel to close."""
import time

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection


def test_sigterm_stops_every_role_on_its_shutdown_record(start_postern, pki):
    postern = start_postern()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
    started = time.monotonic()
    postern.stop()
    took = time.monotonic() - started
    assert not postern.find("ipc-violation"), postern.find("ipc-violation")
    # Each child went on `shutdown`, not on losing the supervisor's channel (which the
    # supervisor closes only after its grace period).
    assert not postern.find("peer-lost", peer="supervisor"), postern.find("peer-lost", peer="supervisor")
    assert took < 4, f"stopping took {took:.1f} s"
