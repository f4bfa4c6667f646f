"""The admin socket and posternctl (SPEC §7): status, sessions, kill, and who may use them."""
import grp
import os

import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.posternctl import posternctl

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the admin socket's group is set by root")


def test_sessions_shows_a_live_session_and_kill_ends_it(postern, pki):
    conn = ImapConnection(postern.port, pki.ca_cert)
    assert conn.login("alice", MAIL_USERS["alice"]).ok
    try:
        assert conn.command("NOOP").ok
        session = postern.session_of_client(conn.local_port)
        listed = posternctl(postern, "sessions", json_output=True)
        assert listed.returncode == 0, listed.stderr
        mine = [s for s in listed.json["sessions"] if s["id"] == session]
        assert len(mine) == 1, listed.json
        s = mine[0]
        assert (s["proto"], s["interface"], s["client"], s["clientPort"]) == ("imap4s", "outside", "127.0.0.1", conn.local_port)
        assert (s["vpnUser"], s["mailUser"], s["groupPolicy"], s["state"]) == ("alice", "alice", "DfltGrpPolicy", "authenticated")
        assert s["mailHost"] == postern.server
        assert s["ageSeconds"] >= 0 and s["bytesIn"] > 0 and s["bytesOut"] > 0

        table = posternctl(postern, "sessions")
        assert table.returncode == 0 and session in table.stdout and "alice" in table.stdout, table
        assert "STATE" in table.stdout.splitlines()[0]

        mark = postern.mark()
        killed = posternctl(postern, "kill", session)
        assert killed.returncode == 0, killed.stderr
        assert conn.closed_by_server(10), "the killed session is still open"
        closed = postern.wait_for("session-closed", since=mark, session=session)
        assert closed["reason"] == "admin-reset"
        assert posternctl(postern, "kill", session).returncode == 2, "a second kill finds nothing"
    finally:
        conn.close()


def test_status_lists_the_roles_and_sockets(postern):
    status = posternctl(postern, "status", json_output=True)
    assert status.returncode == 0, status.stderr
    report = status.json["status"]
    roles = sorted((c["role"], c["index"]) for c in report["children"])
    assert roles == [("authd", 0), ("listener", 0), ("relay", 0), ("relay", 1)]
    assert all(c["pid"] for c in report["children"])
    assert report["endpoints"] == [{"interface": "outside", "proto": "imap4s", "address": "127.0.0.1", "port": postern.port}]
    assert report["seccomp"] == "kill" and report["generation"] == 1
    text = posternctl(postern, "status")
    assert text.returncode == 0 and "ROLE" in text.stdout and "relay" in text.stdout


def test_a_user_outside_the_admin_group_is_refused(start_postern):
    postern = start_postern(overrides={"admin": {"group": "postern-admin"}})
    sock = postern.directory / "admin.sock"
    st = os.stat(sock)
    assert st.st_gid == grp.getgrnam("postern-admin").gr_gid and oct(st.st_mode & 0o777) == "0o660"
    # The file's mode refuses others first...
    refused = posternctl(postern, "status", as_user="nobody")
    assert refused.returncode == 2 and "Permission denied" in refused.stderr, refused
    # ...and the supervisor checks the peer itself, whatever the mode.
    os.chmod(sock, 0o666)
    refused = posternctl(postern, "sessions", as_user="nobody")
    assert refused.returncode == 2 and "permission denied" in refused.stderr, refused
    assert postern.find("admin-refused")
    # A member of the admin group is let in.
    admin_gid = str(grp.getgrnam("postern-admin").gr_gid)
    allowed = posternctl(postern, "status", as_user="nobody", groups=admin_gid)
    assert allowed.returncode == 0, allowed.stderr


# A /proc where the supervisor (root, but without CAP_SYS_PTRACE) cannot see the processes of
# other users: ProtectProc=ptraceable. (The shipped unit's ProtectProc=invisible still shows
# them to group root, proc's default gid=; the admin check must not depend on either.)
HIDDEN_PROC = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount -t proc -o hidepid=ptraceable proc /proc && exec "$@"', "sh"]


def test_the_admin_group_is_let_in_when_proc_hides_other_users(start_postern):
    postern = start_postern(overrides={"admin": {"group": "postern-admin"}}, launcher=HIDDEN_PROC)
    assert "hidepid=ptraceable" in open(f"/proc/{postern.process.pid}/mounts").read()
    admin_gid = str(grp.getgrnam("postern-admin").gr_gid)
    allowed = posternctl(postern, "status", as_user="nobody", groups=admin_gid)
    assert allowed.returncode == 0, allowed.stderr
    os.chmod(postern.directory / "admin.sock", 0o666)
    refused = posternctl(postern, "status", as_user="nobody")
    assert refused.returncode == 2 and "permission denied" in refused.stderr, refused


def test_bad_requests_get_an_answer_not_a_crash(postern):
    import socket
    for payload in (b"not json\n", b'{"command":"explode"}\n', b"\x00" * 5000, b'{"command":"kill"}\n'):
        s = socket.socket(socket.AF_UNIX)
        s.connect(str(postern.directory / "admin.sock"))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        answer = s.recv(65536)
        s.close()
        assert b'"ok":false' in answer, (payload, answer)
    assert posternctl(postern, "status").returncode == 0
    assert not postern.find("child-died")
