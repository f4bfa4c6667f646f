"""A lost channel heals (SPEC §1): when the channel between two running roles closes (a record
one of them refused, for instance), the supervisor pairs them again within a second; logins in
flight fail as temporary, sessions already relayed go on, and no role is restarted. The test
closes the listener's channel to authd through a debug-build hook (SIGUSR1, POSTERN_TEST_HOOKS)."""
import os
import signal

from harness.accounts import MAIL_USERS
from harness.imapclient import login_eventually
from harness.survival import assert_roles_survived, role_pids


def test_a_closed_channel_between_running_roles_is_paired_again(start_postern, pki):
    postern = start_postern()
    before = role_pids(postern)
    established = login_eventually(postern.port, pki.ca_cert, "alice", MAIL_USERS["alice"], timeout=10)
    try:
        mark = postern.mark()
        os.kill(postern.pid("listener"), signal.SIGUSR1)
        postern.wait_for("peer-lost", since=mark, timeout=5, role="listener", peer="authd")
        postern.wait_for("link-repaired", since=mark, timeout=5, role="supervisor", b="authd")
        login_eventually(postern.port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=5).logout()
        assert established.alive(), "a relayed session ended with the channel"
        assert established.command("SELECT INBOX").ok
        assert_roles_survived(postern, before)
        # The pairing happens again the next time, paced to once a second per link.
        mark = postern.mark()
        os.kill(postern.pid("listener"), signal.SIGUSR1)
        postern.wait_for("link-repaired", since=mark, timeout=5, role="supervisor", b="authd")
        login_eventually(postern.port, pki.ca_cert, "carol", MAIL_USERS["carol"], timeout=5).logout()
    finally:
        established.close()
