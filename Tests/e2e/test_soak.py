"""No state outlives its session (SPEC §9, flat memory): after a bounded mixed soak of every kind
of connection, and after the roles holding sessions are killed, every per-session table each
role reports in `posternctl status --json` is back to what it was before. Memory itself is
measured by `make soak` and `make bench`, never asserted here."""
import os
import signal
import time

import pytest

from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.mailclients import PROTOCOLS, connect, log_in
from harness.mailproxies import pop3s, smtps
from harness.postfix import DOMAIN
from harness import soakload
from harness.soakload import KINDS, PENALTY_TABLES, Soak, SoakTarget
from harness.survival import assert_roles_survived, role_pids

# A few thousand connections in all, a few dozen at a time.
PER_KIND = int(os.environ.get("POSTERN_E2E_SOAK_PER_KIND", "250"))
ACCOUNTS = [(user, password) for user, password in MAIL_USERS.items() if "@" not in user]


@pytest.fixture
def soak_postern(start_postern, dovecot, postfix):
    """IMAP4S, POP3S and SMTPS, with room for the soak's concurrency: the limits under test
    elsewhere (outstanding, simultaneous logins) would refuse the soak's own connections."""
    room = {"outstanding": 500, "outstanding-per-address": 0}
    return start_postern(overrides={
        **pop3s(dovecot, **room), **smtps(postfix, **room), "imap4s": room,
        "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 1000}},
    })


def target_of(postern, pki) -> SoakTarget:
    return SoakTarget(cafile=str(pki.ca_cert), imap_port=postern.port, accounts=ACCOUNTS,
                      admin_socket=str(postern.directory / "admin.sock"),
                      pop3_port=postern.port_of("pop3s"), smtp_port=postern.port_of("smtps"),
                      mail_sink=f"dave@{DOMAIN}")


def tables_of_every_role(postern) -> dict:
    return soakload.tables_of_every_role(postern.directory / "admin.sock")


def wait_until_back(postern, before: dict) -> dict:
    after, changes = soakload.settle(postern.directory / "admin.sock", before)
    assert not changes, f"per-session tables did not return to their values before (before, after): {changes}"
    return after


def test_every_table_is_reported_by_every_role(soak_postern):
    tables = tables_of_every_role(soak_postern)
    assert set(tables) == {"listener 0", "authd 0", "relay 0", "relay 1"}, tables
    assert {"sessions", "sessions-in-memory", "outstanding", "authd-pending", "authd-established", "relay-pending",
            "relay-assigned"} <= set(tables["listener 0"])
    assert {"permits", "login-slots", "granted", "accounted", *PENALTY_TABLES} <= set(tables["authd 0"])
    assert {"relay-sessions", "pipes-lent"} <= set(tables["relay 0"])
    assert all(v == 0 for t in tables.values() for v in t.values()), f"a fresh postern holds state: {tables}"


def test_a_mixed_soak_leaves_every_table_as_it_found_it(soak_postern, pki):
    postern = soak_postern
    before = tables_of_every_role(postern)
    pids = role_pids(postern)
    soak = Soak(target_of(postern, pki), concurrency=32)

    result = soak.run(PER_KIND)

    assert set(result.done) == set(KINDS), f"not every kind ran: {result.summary()}"
    assert result.failures == 0, f"connections that did not go as they should: {result.summary()}"
    after = wait_until_back(postern, before)
    failed_logins = result.done["failed-login"]
    for table in PENALTY_TABLES:
        # One record per failed login's address and user at most, and only inside the window.
        assert after["authd 0"][table] <= before["authd 0"][table] + failed_logins, (table, after)
    assert_roles_survived(postern, pids)


def test_tables_return_after_kill_a_killed_relay_and_a_restarted_authd(soak_postern, pki, dovecot):
    postern = soak_postern
    before = tables_of_every_role(postern)
    target = target_of(postern, pki)
    held = []
    try:
        for protocol in PROTOCOLS:
            for user in ("alice", "bob"):
                conn = connect(postern, protocol, pki.ca_cert)
                held.append(conn)
                assert log_in(conn, user, MAIL_USERS[user]), f"{user} could not log in over {protocol}"
        busy = tables_of_every_role(postern)
        assert busy["listener 0"]["sessions"] == len(held), busy
        assert busy["authd 0"]["login-slots"] == len(held), busy
        assert sum(busy[f"relay {i}"]["relay-sessions"] for i in (0, 1)) == len(held), busy

        # An administrator's kill.
        KINDS["killed"](target, 0)
        # A relay killed: its sessions end, the listener forgets them, a new relay starts empty.
        relay_pid = postern.pid("relay", 0)
        mark = postern.mark()
        os.kill(relay_pid, signal.SIGKILL)
        postern.wait_for("child-started", since=mark, timeout=15, child="relay")
        # authd killed and restarted: the listener tells it of the established sessions again.
        authd_pid = postern.pid("authd")
        mark = postern.mark()
        os.kill(authd_pid, signal.SIGKILL)
        postern.wait_for("child-started", since=mark, timeout=15, child="authd")
        postern.wait_for("peer-connected", since=mark, timeout=15, role="listener", peer="authd")
        deadline = time.monotonic() + 10
        while True:
            survivors = tables_of_every_role(postern)
            if survivors["authd 0"]["login-slots"] == survivors["listener 0"]["authd-established"] > 0:
                break
            assert time.monotonic() < deadline, f"the restarted authd does not count the live sessions: {survivors}"
            time.sleep(0.2)
    finally:
        for conn in held:
            conn.close()

    # The restarted roles serve a mixed soak, and then every table is as it was.
    result = Soak(target, concurrency=16).run(max(10, PER_KIND // 10))
    assert result.failures == 0, result.summary()
    wait_until_back(postern, before)


def test_a_grant_that_comes_after_the_session_stopped_waiting_frees_its_slot(start_postern, pki):
    """authd answers after `authentication-timeout` (the failed-login penalty holds the request
    back): the session was told to try later, and the slot authd took for it must not stay
    taken, or a few such logins lock the user out until the listener restarts."""
    postern = start_postern(overrides={"limits": {"authentication-timeout": "1s"},
                                       "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 1}}})
    source = "127.0.0.7"
    for _ in range(2):
        with ImapConnection(postern.port, pki.ca_cert, source=source) as conn:
            for _ in range(2):
                assert conn.login("bob", WRONG_PASSWORD).status == "NO"
    # Four failures: the next request waits 2 s in authd, past the listener's 1 s.
    with ImapConnection(postern.port, pki.ca_cert, source=source) as waiting:
        mark = postern.mark()
        reply = waiting.login("bob", MAIL_USERS["bob"])
        assert reply.status == "NO" and "UNAVAILABLE" in reply.text, reply
        postern.wait_for("authorization", since=mark, timeout=10, result="granted")
        deadline = time.monotonic() + 10
        while (slots := tables_of_every_role(postern)["authd 0"]["login-slots"]) != 0:
            assert time.monotonic() < deadline, f"the late grant still holds {slots} login slot(s)"
            time.sleep(0.2)
        # The slot is free: with simultaneous-logins = 1 the user gets in at once.
        assert waiting.login("bob", MAIL_USERS["bob"]).ok
