"""A username full of characters that reorder or break what a person reads (docs/events.md):
a bidi override, a line separator and a C1 control reach the log and `posternctl sessions`
only as escapes."""
import os

import pytest

from harness.accounts import MAIL_USERS, vpn_users
from harness.imapclient import ImapConnection
from harness.posternctl import posternctl

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the admin socket's group is set by root")

# U+202E RIGHT-TO-LEFT OVERRIDE, U+2028 LINE SEPARATOR, U+0085 NEXT LINE (C1).
TRICKY = "eve\u202egpj.exe\u2028role=authd\u0085x"
ESCAPED = "eve\\u{202E}gpj.exe\\u{2028}role=authd\\u{85}x"
TRICKY_PASSWORD = "evepass-Rt4q"
RAW = ("\u202e", "\u2028", "\u0085")


def test_a_tricky_vpn_username_is_escaped_in_the_log_and_in_posternctl_sessions(start_postern, pki):
    postern = start_postern(users=vpn_users(**{TRICKY: TRICKY_PASSWORD}))
    conn = ImapConnection(postern.port, pki.ca_cert)
    try:
        login = conn.authenticate_plain(f"{TRICKY}:alice", f"{TRICKY_PASSWORD}:{MAIL_USERS['alice']}")
        assert login.ok, login

        # Read as bytes: Python's own line splitting would take U+2028 and U+0085 as line ends.
        log = postern.log_path.read_bytes().decode()
        assert not any(c in log for c in RAW), "a raw format or control character reached the log"
        attempts = [line for line in log.split("\n") if "event=auth-attempt" in line]
        assert any(f'vpn-user="{ESCAPED}"' in line for line in attempts), attempts
        assert postern.find("auth-attempt", vpn_user=TRICKY), "the harness reads the escapes back"

        table = posternctl(postern, "sessions")
        assert table.returncode == 0, table.stderr
        assert not any(c in table.stdout for c in RAW), "a raw format or control character reached the table"
        row = [line for line in table.stdout.split("\n") if ESCAPED in line]
        assert len(row) == 1 and "authenticated" in row[0], table.stdout

        listed = posternctl(postern, "sessions", json_output=True)
        assert [s["vpnUser"] for s in listed.json["sessions"]] == [TRICKY], "JSON keeps the name as it is"
    finally:
        conn.logout()
