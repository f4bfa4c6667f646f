"""Limits across IMAP4S, POP3S and SMTPS (SPEC §3-4): one simultaneous-logins count per VPN
user over all three; `outstanding` per protocol, so a flood on one port never evicts the
waiting sessions of another; the group policy's `protocols` list."""
import time

import pytest

from harness.accounts import MAIL_USERS
from harness.mailclients import PROTOCOLS, answers, connect, log_in, log_in_eventually
from harness.mailproxies import pop3s, smtps
from harness.rawsockets import connect as connect_silently
from harness.rawsockets import still_open

CAROL = MAIL_USERS["carol"]


@pytest.fixture
def all_three(start_postern, dovecot, postfix):
    """start_all_three(**overrides): postern with IMAP4S, POP3S and SMTPS ("mailhost")."""
    def start(imap4s=None, pop3s_keys=None, smtps_keys=None, **overrides):
        config = {**pop3s(dovecot, **(pop3s_keys or {})), **smtps(postfix, **(smtps_keys or {})), **overrides}
        if imap4s:
            config["imap4s"] = imap4s
        return start_postern(overrides=config)
    return start


def test_simultaneous_logins_count_across_the_three_protocols(all_three, pki):
    postern = all_three()   # DfltGrpPolicy: simultaneous-logins = 3
    sessions = {}
    extras = []
    try:
        for protocol in PROTOCOLS:
            sessions[protocol] = connect(postern, protocol, pki.ca_cert)
            assert log_in(sessions[protocol], "carol", CAROL), f"carol's {protocol} session was refused"
        # One of each: the fourth, on any protocol, is refused.
        for protocol in PROTOCOLS:
            mark = postern.mark()
            extra = connect(postern, protocol, pki.ca_cert)
            extras.append(extra)
            assert not log_in(extra, "carol", CAROL), f"a fourth session of carol got in on {protocol}"
            postern.wait_for("limit-refused", since=mark, limit="simultaneous-logins", **{"vpn-user": "carol"})
        for protocol, conn in sessions.items():
            assert answers(conn), f"carol's {protocol} session stopped answering"
        # Another user is not counted with carol.
        other = connect(postern, "pop3s", pki.ca_cert)
        extras.append(other)
        assert log_in(other, "bob", MAIL_USERS["bob"])

        # Ending the POP3 session frees a slot, which an SMTP session may take.
        pop3 = sessions.pop("pop3s")
        pop3.quit()
        postern.wait_for("session-closed", session=postern.session_of_client(pop3.local_port))
        smtp = log_in_eventually(postern, "smtps", pki.ca_cert, "carol", CAROL, timeout=5)
        extras.append(smtp)
        assert smtp.command("NOOP").code == 250
    finally:
        for conn in [*sessions.values(), *extras]:
            conn.close()


@pytest.mark.parametrize("flooded,waiting", [("pop3s", "imap4s"), ("smtps", "pop3s"), ("imap4s", "smtps")])
def test_outstanding_is_counted_per_protocol(all_three, pki, flooded, waiting):
    limit = {"outstanding": 3}
    # Long timers: every connection closed here is closed for the outstanding limit.
    postern = all_three(imap4s={"outstanding": 3}, pop3s_keys=limit, smtps_keys=limit,
                        limits={"handshake-timeout": "60s", "preauth-idle-timeout": "60s"})
    sessions = [connect(postern, waiting, pki.ca_cert) for _ in range(3)]   # up to the limit
    silent = []
    try:
        for _ in range(10):
            silent.append(connect_silently(postern.port_of(flooded)))
        deadline = time.monotonic() + 15
        while len(still_open(silent)) > 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(still_open(silent)) == 3, f"{len(still_open(silent))} silent {flooded} connections open, limit 3"

        for conn in sessions:
            assert answers(conn), f"a waiting {waiting} session was closed by the {flooded} flood"
        protocol_of = {e["session"]: e.get("protocol") for e in postern.find("connection-accepted")}
        evicted = [protocol_of.get(e.get("session")) for e in postern.find("outstanding-evicted")]
        assert len(evicted) >= 7 and set(evicted) == {flooded}, evicted
        # And the waiting sessions may still log in.
        assert log_in(sessions[0], "bob", MAIL_USERS["bob"])
    finally:
        for conn in [*sessions, *silent]:
            conn.close()


def test_the_group_policy_decides_which_protocols_a_user_may_use(all_three, pki):
    postern = all_three(**{"group-policy": {"DfltGrpPolicy": {"protocols": ["imap4s", "smtps"]}}})
    pop3 = connect(postern, "pop3s", pki.ca_cert)
    try:
        assert not log_in(pop3, "carol", CAROL), "POP3S is not in the policy's protocols, yet carol got in"
        for protocol in ("imap4s", "smtps"):
            conn = connect(postern, protocol, pki.ca_cert)
            try:
                assert log_in(conn, "carol", CAROL), f"{protocol} is in the policy's protocols, yet refused"
            finally:
                conn.close()
    finally:
        pop3.close()
