"""Fixtures of the end-to-end suite: one CA and one Dovecot per test session, a fresh
postern per test. Helpers live in harness/ (this directory is on sys.path)."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness.accounts import MAIL_USERS, all_passwords, vpn_users
from harness.certs import make_pki
from harness.dovecot import Dovecot
from harness.postern import Postern
from harness.posternlog import PosternError


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test shows the log of every postern it started."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for p in getattr(item, "posterns", []):
            report.sections.append((f"postern log {p.log_path}", p.log_text()[-20000:]))


@pytest.fixture(scope="session")
def e2e_dir():
    path = Path(tempfile.mkdtemp(prefix="postern-e2e-"))
    os.chmod(path, 0o755)   # the role users and `nobody` must reach their files below
    yield path
    if not os.environ.get("POSTERN_E2E_KEEP"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def pki(e2e_dir):
    return make_pki(e2e_dir / "pki")


@pytest.fixture(scope="session")
def dovecot(e2e_dir, pki):
    """Dovecot on 127.0.0.1 and 127.0.0.2; each mail user has one marked message (UID 1)."""
    if os.geteuid() != 0:
        pytest.skip("the test Dovecot needs root (it switches to dovecot, dovenull and vmail)")
    server = Dovecot(e2e_dir / "dovecot", pki, MAIL_USERS)
    server.start()
    try:
        for user in MAIL_USERS:
            server.deliver_marked(user)
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_postern(request, e2e_dir, pki, dovecot):
    """start_postern(**kwargs) -> a running Postern. Defaults: root, server = Dovecot's plain
    IMAP on 127.0.0.1, allowed-servers = the same port on 127.0.0.2, users = vpn_users().
    Teardown stops each one (asserting every child exited) and checks its log for passwords."""
    started = []
    request.node.posterns = started

    def start(**kwargs) -> Postern:
        kwargs.setdefault("server", f"127.0.0.1:{dovecot.ports.imap}")
        kwargs.setdefault("allowed_servers", [f"127.0.0.2:{dovecot.ports.imap}"])
        kwargs.setdefault("users", vpn_users())
        directory = Path(tempfile.mkdtemp(prefix="p-", dir=e2e_dir))
        (directory / "TEST").write_text(request.node.nodeid + "\n")
        postern = Postern(directory, pki, **kwargs)
        started.append(postern)
        return postern.start()

    yield start

    problems = []
    for postern in started:
        try:
            postern.stop()
        except PosternError as e:
            problems.append(str(e))
        try:
            postern.assert_no_secrets(all_passwords() | set(postern.users.values()))
        except PosternError as e:
            problems.append(str(e))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def postern(start_postern):
    """postern as root with the default test configuration."""
    return start_postern()
