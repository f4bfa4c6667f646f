"""The Debian package on this very machine (make test-package; skipped without POSTERN_DEB):
lintian, installation, the shipped configuration, the libraries the binaries need, the unit's
hardening, the daemon run as the unit runs it (serving an IMAPS login through the test Dovecot,
with each role's lines on its own journal stream), reinstallation over an edited conffile,
removal and purge. The tests run in file order and share one installation, which is purged at
the end even when a test fails."""
import grp
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from harness import tomlwriter, unitexec
from harness.accounts import MAIL_USERS, vpn_users
from harness.fakejournal import FakeJournal
from harness.imapclient import ImapConnection
from harness.localusers import write_users_file
from harness.paths import REPO
from harness.ports import free_port

DEB = os.environ.get("POSTERN_DEB")
pytestmark = pytest.mark.skipif(not DEB, reason="set POSTERN_DEB to a built .deb (make test-package)")

UNIT = Path("/lib/systemd/system/postern.service")
CONFFILE = Path("/etc/postern/postern.toml")
TEST_DIR = Path("/etc/postern/e2e")          # the administrator's own files, for the test daemon
BINARIES = ["/usr/sbin/postern", "/usr/sbin/posternctl",
            "/usr/lib/postern/postern-authd", "/usr/lib/postern/postern-relay"]
ROLE_USERS = ["postern", "postern-auth", "postern-relay"]
EXPOSURE_LIMIT = 2.0
# setpriority: libdispatch lowers its workers' priority; under the unit it fails with EPERM.
SYSCALLS_THE_UNIT_REFUSES = {"setpriority"}


def run(*argv, check=True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(list(argv), capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def postern_processes() -> list:
    """(pid, executable) of every process running a file of the package, deleted or not."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe = os.readlink(entry / "exe")
        except OSError:
            continue
        if exe.removesuffix(" (deleted)") in BINARIES:
            found.append((int(entry.name), exe))
    return found


def leftovers() -> list:
    """Files and directories named after postern under /etc, /var and /run."""
    found = []
    for top in ("/etc", "/var", "/run"):
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                if "postern" in name:
                    found.append(os.path.join(root, name))
    return found


def is_installed() -> bool:
    result = run("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "postern", check=False)
    return result.returncode == 0 and result.stdout.strip() != ""


class State:
    """What the tests of this file share."""
    daemon = None
    journal = None
    journal_dir = None
    edited_text = None


@pytest.fixture(scope="module")
def package():
    if os.geteuid() != 0:
        pytest.skip("installing a package needs root")
    assert Path(DEB).is_file(), f"{DEB} does not exist: make deb"
    if is_installed():
        run("dpkg", "--purge", "postern", check=False)
    assert not postern_processes(), "a postern from another installation is running"
    try:
        yield Path(DEB)
    finally:
        stop_daemon()
        if State.journal is not None:
            State.journal.close()
        shutil.rmtree(TEST_DIR, ignore_errors=True)
        if is_installed():
            run("dpkg", "--purge", "postern", check=False)
        if State.journal_dir is not None:
            shutil.rmtree(State.journal_dir, ignore_errors=True)


def stop_daemon() -> None:
    daemon = State.daemon
    if daemon is not None and daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
    for pid, _ in postern_processes():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_lintian_finds_no_error_and_no_warning(package):
    result = run("lintian", "--fail-on", "error,warning", str(package), check=False)
    tags = [l for l in result.stdout.splitlines() if l.startswith(("E:", "W:"))]
    assert result.returncode == 0 and not tags, result.stdout + result.stderr


def test_dpkg_installs_it(package):
    result = run("dpkg", "-i", str(package))
    assert is_installed(), result.stdout + result.stderr
    for path in BINARIES:
        assert os.access(path, os.X_OK), path
    for page in ("man8/postern.8.gz", "man8/posternctl.8.gz", "man5/postern.toml.5.gz"):
        assert Path("/usr/share/man", page).is_file(), page
    for name in ("runtime", "supervisor", "listener", "authd", "relay"):
        assert Path(f"/usr/share/postern/policy/{name}.policy").is_file(), name
    conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "postern").stdout
    assert str(CONFFILE) in conffiles
    assert UNIT.is_file()


def test_postinst_made_the_users_the_group_and_a_certificate(package):
    for user in ROLE_USERS:
        account = pwd.getpwnam(user)
        assert account.pw_uid != 0 and account.pw_shell in ("/usr/sbin/nologin", "/bin/false"), user
    grp.getgrnam("postern-admin")
    cert, key = Path("/etc/postern/tls/server.pem"), Path("/etc/postern/tls/server.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.stat().st_uid == 0
    text = run("openssl", "x509", "-in", str(cert), "-noout", "-subject").stdout
    assert os.uname().nodename in text


def test_check_config_passes_on_the_shipped_file(package):
    result = run("/usr/sbin/postern", "check-config", "--config", str(CONFFILE))
    assert result.stdout.strip() == f"{CONFFILE}: ok"


def test_the_shipped_file_shows_every_key_of_the_example(package):
    shipped = CONFFILE.read_text()
    example = (REPO / "packaging" / "postern.toml").read_text()
    for line in example.splitlines():
        if line and not line.startswith(("#", " ")) and "=" in line:
            assert line in shipped or "#" + line in shipped, line


def test_binaries_need_only_libraries_of_debian_packages(package):
    for binary in BINARIES:
        out = run("ldd", binary).stdout
        assert "not found" not in out, out
        for path in re.findall(r"(/\S+) \(0x", out):
            owner = run("dpkg-query", "-S", os.path.realpath(path), check=False)
            if owner.returncode != 0:    # usrmerge: the file is registered under /lib
                owner = run("dpkg-query", "-S", path, check=False)
            assert owner.returncode == 0, f"{binary} needs {path}, which no Debian package holds"
            assert "/opt/" not in path and "swift" not in path, f"{binary} needs {path}"


def test_unit_exposure_is_low(package):
    level = unitexec.exposure(UNIT)
    print(f"\nsystemd-analyze security --offline=true postern.service: {level} "
          f"(Debian 12: dovecot 8.7, nginx 9.6)")
    assert level <= EXPOSURE_LIMIT


def test_unit_syscall_filter_lets_every_role_policy_through(package):
    allowed = unitexec.allowed_syscalls(unitexec.parse_unit(UNIT))
    needed = set()
    for policy in Path("/usr/share/postern/policy").glob("*.policy"):
        for line in policy.read_text().splitlines():
            words = line.split("#", 1)[0].split()
            if words and "errno" not in words:
                needed.add(words[0])
    assert needed - allowed == SYSCALLS_THE_UNIT_REFUSES


def test_daemon_started_as_the_unit_starts_it_serves_an_imaps_login(package, dovecot, pki):
    unit = unitexec.parse_unit(UNIT)
    assert unitexec.command_line(unit, "ExecStart")[0] == "/usr/sbin/postern"
    port = free_port()
    TEST_DIR.mkdir(mode=0o755)
    shutil.copyfile(pki.server_cert, TEST_DIR / "server.pem")
    shutil.copyfile(pki.server_key, TEST_DIR / "server.key")
    os.chmod(TEST_DIR / "server.key", 0o600)
    write_users_file(TEST_DIR / "users", vpn_users())
    os.chown(TEST_DIR / "users", 0, grp.getgrnam("postern-auth").gr_gid)
    os.chmod(TEST_DIR / "users", 0o640)
    # The administrator's edit of the conffile: the shipped text, then a working configuration.
    config = {
        "tls": {"certificate": str(TEST_DIR / "server.pem"), "private-key": str(TEST_DIR / "server.key")},
        "interface": [{"name": "outside", "addresses": ["127.0.0.1"]}],
        "aaa-server-group": {"LOCAL": {"protocol": "local", "users-file": str(TEST_DIR / "users")}},
        "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 3}},
        "imap4s": {"enable": ["outside"], "port": port, "server": f"127.0.0.1:{dovecot.ports.imap}",
                   "authentication-server-group": "LOCAL", "default-group-policy": "DfltGrpPolicy"},
        "admin": {"socket": "/run/postern/admin.sock", "group": "postern-admin"},
        "process": {"relay-processes": 1},
    }
    shipped = CONFFILE.read_text()
    body = "\n".join(l for l in shipped.splitlines() if l.startswith("#") or not l.strip())
    State.edited_text = body + "\n\n# e2e: edited by the administrator\n" + tomlwriter.dumps(config)
    CONFFILE.write_text(State.edited_text)

    work = Path(tempfile.mkdtemp(prefix="pkgtest-", dir="/var/tmp"))   # outside /tmp, which PrivateTmp hides
    State.journal_dir = work
    State.journal = journal = FakeJournal(work / "stdout")
    pre = subprocess.run(unitexec.wrap(unit, unitexec.command_line(unit, "ExecStartPre"), work),
                         capture_output=True, text=True, timeout=60)
    assert pre.returncode == 0, pre.stdout + pre.stderr
    stream = journal.connect_as(unit["SyslogIdentifier"][-1])
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", **unitexec.journal_stream_env(stream)}
    State.daemon = subprocess.Popen(unitexec.wrap(unit, unitexec.command_line(unit, "ExecStart"), work,
                                                  journal_socket=work / "stdout"),
                                    stdin=subprocess.DEVNULL, stdout=stream, stderr=stream, env=env)
    stream.close()
    assert journal.wait_for("event=listener-ready", 30), journal.text()

    imap = ImapConnection(port, pki.ca_cert)
    reply = imap.login("alice", MAIL_USERS["alice"])
    assert reply.ok, (reply, journal.text())
    assert dovecot.tokens["alice"].encode() in imap.first_message()
    imap.logout()
    assert journal.wait_for("event=session-closed", 10), journal.text()

    # Each role as its own user, every one with its own journal identifier.
    users = {}
    for pid, exe in postern_processes():
        uid = int(re.search(r"^Uid:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M).group(1))
        users.setdefault(exe.removesuffix(" (deleted)"), set()).add(pwd.getpwuid(uid).pw_name)
    assert users["/usr/sbin/postern"] == {"root", "postern"}
    assert users["/usr/lib/postern/postern-authd"] == {"postern-auth"}
    assert users["/usr/lib/postern/postern-relay"] == {"postern-relay"}
    for identifier, role in (("postern-supervisor", "supervisor"), ("postern-listener", "listener"),
                             ("postern-authd", "authd"), ("postern-relay", "relay")):
        lines = journal.lines(identifier)
        assert lines, f"nothing under {identifier}:\n{journal.text()}"
        assert all(f"role={role} " in l for l in lines if "event=" in l), lines
        assert not any(l.startswith("time=") for l in lines), "journald stamps the lines itself"
    session = re.search(r"event=auth-result session=(\w+) result=success", "\n".join(journal.lines("postern-authd")))
    assert session, journal.text()
    for identifier in ("postern-listener", "postern-authd", "postern-relay"):
        assert any(f"session={session.group(1)}" in l for l in journal.lines(identifier)), identifier

    # posternctl in the daemon's mount namespace, where /run/postern is.
    status = run("nsenter", f"--target={State.daemon.pid}", "--mount", "/usr/sbin/posternctl", "status")
    assert "listener" in status.stdout


def test_reinstalling_the_same_version_keeps_the_edited_conffile(package):
    assert State.edited_text, "the previous test edits the conffile"
    key = Path("/etc/postern/tls/server.key").read_bytes()
    run("dpkg", "-i", str(package))
    assert CONFFILE.read_text() == State.edited_text
    assert Path("/etc/postern/tls/server.key").read_bytes() == key, "the certificate is made once"


def test_remove_stops_the_daemon_and_keeps_the_configuration(package):
    run("dpkg", "--remove", "postern")
    deadline = time.monotonic() + 10
    while postern_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not postern_processes()
    if State.daemon is not None:
        assert State.daemon.wait(10) is not None
    assert CONFFILE.read_text() == State.edited_text
    for user in ROLE_USERS:
        pwd.getpwnam(user)


def test_purge_leaves_nothing_of_postern_and_keeps_the_users(package):
    shutil.rmtree(TEST_DIR)    # the administrator's own files stay on purge, so the test removes its own
    run("dpkg", "--purge", "postern")
    assert not postern_processes()
    assert leftovers() == []
    for user in ROLE_USERS:
        pwd.getpwnam(user)
    grp.getgrnam("postern-admin")
