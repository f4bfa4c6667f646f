"""Privilege separation and the crash policy of SPEC §1, observed from outside: who each
role runs as, what it may still do, and what survives when a role dies."""
import os
import pwd
import signal
import time

import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection, login_eventually
from harness.procstatus import is_gone, read_status

ROLE_USERS = {"listener": "postern", "authd": "postern-auth", "relay": "postern-relay"}

# Capabilities no part of postern needs, the supervisor included.
CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_NET_RAW = 16, 17, 19, 21, 13

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="role users are only switched to by root")


def role_pids(postern) -> list:
    """(child, pid) for the listener, authd and every relay."""
    pairs = [(child, pid) for child in ROLE_USERS for pid in postern.current_pids(child).values()]
    assert sorted(c for c, _ in pairs) == ["authd", "listener", "relay", "relay"], postern.child_starts()
    return pairs


def test_roles_run_as_their_users_without_capabilities(postern):
    for child, pid in role_pids(postern):
        account = pwd.getpwnam(ROLE_USERS[child])
        status = read_status(pid)
        assert status.uids == (account.pw_uid,) * 4, (child, status)
        assert status.gids == (account.pw_gid,) * 4, (child, status)
        assert status.cap_eff == 0 and status.cap_prm == 0, (child, hex(status.cap_eff))
        assert status.no_new_privs == 1, child
    for start in postern.child_starts():
        assert start.get("user") == ROLE_USERS[start["child"]], start


# What the supervisor keeps (docs/architecture.md): net_bind_service, setuid, setgid, setpcap, kill.
CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE = 6, 7, 8, 10
SUPERVISOR_CAPS = sum(1 << c for c in (CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE))


def test_every_role_runs_a_full_session_under_its_seccomp_filter(postern, dovecot, pki):
    session = logged_in_session(postern, pki)
    try:
        assert dovecot.tokens["alice"].encode() in session.first_message()
        for child, pid in role_pids(postern):
            status = read_status(pid)
            assert status.seccomp == 2, f"{child}: no seccomp filter"
            assert status.no_new_privs == 1 and status.cap_eff == 0, (child, status)
        supervisor = read_status(postern.process.pid)
        assert supervisor.seccomp == 2, "the supervisor has no seccomp filter"
        assert supervisor.cap_eff == SUPERVISOR_CAPS, hex(supervisor.cap_eff)
        assert supervisor.cap_bnd == SUPERVISOR_CAPS, hex(supervisor.cap_bnd)
        assert supervisor.uids == (0, 0, 0, 0)
        assert not postern.find("seccomp-violation"), postern.find("seccomp-violation")
        assert not postern.find("child-died")
    finally:
        session.close()


@pytest.mark.parametrize("victim", ["relay", "authd", "listener"])
def test_a_forbidden_call_kills_the_role_and_it_comes_back(start_postern, dovecot, pki, victim):
    """The test hook (debug builds, POSTERN_TEST_HOOKS=1) makes a role call personality(2) on
    SIGUSR2: outside every policy, so the kernel kills the role; the supervisor says so and
    starts it again; sessions elsewhere go on."""
    postern = start_postern(overrides={"group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 20}}})
    sessions = [logged_in_session(postern, pki) for _ in range(4)]
    try:
        doomed = postern.pid(victim) if victim != "relay" else None
        if victim == "relay":
            relays = [postern.relay_pid_of_session(postern.session_of_client(c.local_port)) for c in sessions]
            doomed = relays[0]
            survivors = [c for c, r in zip(sessions, relays) if r != doomed]
        else:
            survivors = sessions if victim == "authd" else []
        mark = postern.mark()
        os.kill(doomed, signal.SIGUSR2)

        died = postern.wait_for("child-died", since=mark, timeout=10, child=victim)
        assert died["signal"] == "SIGSYS" and died["cause"] == "seccomp-violation", died
        violation = postern.wait_for("seccomp-violation", since=mark, timeout=10, child=victim)
        assert int(violation["pid"]) == doomed
        restarted = postern.wait_for("child-started", since=mark, timeout=15, child=victim)
        assert int(restarted["pid"]) != doomed
        for conn in survivors:
            assert conn.alive(), f"a session not on the {victim} ended"
            assert conn.command("NOOP").ok
        login_eventually(postern.port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=15).logout()
    finally:
        for conn in sessions:
            conn.close()


def test_roles_have_empty_capability_sets_and_only_their_group(postern):
    for child, pid in role_pids(postern):
        status = read_status(pid)
        assert status.cap_bnd == 0 and status.cap_amb == 0 and status.cap_inh == 0, \
            (child, hex(status.cap_bnd), hex(status.cap_amb))
        assert set(status.groups) <= {pwd.getpwnam(ROLE_USERS[child]).pw_gid}, (child, status.groups)
    supervisor = read_status(postern.process.pid)
    for cap in (CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_NET_RAW):
        assert not supervisor.cap_eff & (1 << cap), f"supervisor keeps capability {cap}"


def logged_in_session(postern, pki, user="alice"):
    conn = ImapConnection(postern.port, pki.ca_cert)
    assert conn.login(user, MAIL_USERS[user]).ok
    return conn


def test_killing_a_relay_ends_only_its_sessions(start_postern, dovecot, pki):
    postern = start_postern(overrides={"group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 20}}})
    by_relay = {}
    conns = []
    try:
        while len(by_relay) < 2 and len(conns) < 10:
            conn = logged_in_session(postern, pki)
            conns.append(conn)
            relay = postern.relay_pid_of_session(postern.session_of_client(conn.local_port))
            by_relay.setdefault(relay, []).append(conn)
        assert len(by_relay) == 2, f"{len(conns)} sessions all went to one relay"
        doomed_pid, survivor_pid = list(by_relay)
        mark = postern.mark()

        os.kill(doomed_pid, signal.SIGKILL)
        for conn in by_relay[doomed_pid]:
            assert conn.closed_by_server(10) or not conn.alive(), "a session of the killed relay lives on"
        for conn in by_relay[survivor_pid]:
            assert conn.alive(), "a session on the other relay ended"
            assert dovecot.tokens["alice"].encode() in conn.first_message()

        restarted = postern.wait_for("child-started", since=mark, timeout=15, child="relay")
        assert int(restarted["pid"]) != doomed_pid
        conns.append(login_eventually(postern.port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=10))
    finally:
        for conn in conns:
            conn.close()


def test_killing_authd_keeps_sessions_and_restarts_it(postern, dovecot, pki):
    session = logged_in_session(postern, pki)
    try:
        old_pid = postern.pid("authd")
        mark = postern.mark()
        os.kill(old_pid, signal.SIGKILL)

        restarted = postern.wait_for("child-started", since=mark, timeout=15, child="authd")
        assert int(restarted["pid"]) != old_pid
        assert session.alive(), "an authenticated session ended with authd"
        assert session.command("SELECT INBOX").ok
        login_eventually(postern.port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=10).logout()
    finally:
        session.close()



def test_when_the_supervisor_dies_every_child_exits(start_postern, pki):
    postern = start_postern()
    session = logged_in_session(postern, pki)
    children = [pid for _, pid in role_pids(postern)]
    try:
        os.kill(postern.process.pid, signal.SIGKILL)
        postern.process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(is_gone(p) for p in children):
            time.sleep(0.05)
        assert all(is_gone(p) for p in children), [p for p in children if not is_gone(p)]
        assert session.closed_by_server(5) or not session.alive()
    finally:
        session.close()
