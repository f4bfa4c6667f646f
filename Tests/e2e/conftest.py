"""Fixtures of the end-to-end suite: one CA, one Dovecot, and (for the tests that ask) one
Postfix, one Dovecot that trusts the proxy, one FreeRADIUS and one slapd, per test session;
a fresh postern per test.
Helpers live in harness/ (this directory is on sys.path)."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness.accounts import MAIL_HOST_ONLY_FIELDS, MAIL_USERS, all_passwords, mail_host_users, vpn_users
from harness.certs import make_pki
from harness.dovecot import Dovecot
from harness.ldap import Ldap
from harness.mailproxies import pop3s, smtps
from harness.postfix import Postfix
from harness.postern import Postern
from harness.posternlog import PosternError
from harness.radius import Radius


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
    """Dovecot on 127.0.0.1 and 127.0.0.2; each mail user has one marked message (UID 1).
    It also holds the refused account (accounts.REFUSED_USER) and delivers for Postfix."""
    if os.geteuid() != 0:
        pytest.skip("the test Dovecot needs root (it switches to dovecot, dovenull and vmail)")
    server = Dovecot(e2e_dir / "dovecot", pki, mail_host_users(), extra_fields=MAIL_HOST_ONLY_FIELDS)
    server.start()
    try:
        for user in MAIL_USERS:
            server.deliver_marked(user)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def trusting_dovecot(e2e_dir, pki):
    """A second Dovecot, with login_trusted_networks = 127.0.0.0/8: it takes the client's
    address from the proxy (IMAP ID x-originating-ip, POP3 XCLIENT) and logs it as rip=."""
    if os.geteuid() != 0:
        pytest.skip("the test Dovecot needs root (it switches to dovecot, dovenull and vmail)")
    server = Dovecot(e2e_dir / "trusting-dovecot", pki, mail_host_users(), extra_fields=MAIL_HOST_ONLY_FIELDS,
                     trusted_networks="127.0.0.0/8")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postfix(e2e_dir, pki, dovecot):
    """Postfix on 127.0.0.1: AUTH through Dovecot, delivery to Dovecot's LMTP (TESTBED §2a)."""
    server = Postfix(e2e_dir / "postfix", pki, dovecot)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def radius(e2e_dir):
    """FreeRADIUS on 127.0.0.1 (TESTBED §3): `radius.ports.auth`/`.acct`, `radius.secret`;
    the users of radius.radius_users() (alice with Class "OU=Engineering;"); Message-Authenticator
    required in requests and sent in replies; `radius.wait_for_accounting(...)` reads the detail file."""
    if os.geteuid() != 0:
        pytest.skip("the test FreeRADIUS needs root (it drops to freerad)")
    server = Radius(e2e_dir / "radius")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def ldap(e2e_dir, pki):
    """slapd on 127.0.0.1 (TESTBED §4): `ldap.ldap_url` (StartTLS), `ldap.ldaps_url`, base
    dc=example,dc=org; alice in cn=engineering, bob in no group; the service account
    `ldap.service_dn` with `ldap.service_password` may search, anonymous clients may not."""
    if os.geteuid() != 0:
        pytest.skip("the test slapd needs root (it reads the test server key)")
    server = Ldap(e2e_dir / "ldap", pki)
    server.start()
    try:
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


@pytest.fixture
def pop3_postern(start_postern, dovecot):
    """postern with [imap4s] and [pop3s] in front of the test Dovecot."""
    return start_postern(overrides=pop3s(dovecot))


@pytest.fixture
def smtp_postern(start_postern, postfix):
    """postern with [imap4s] and [smtps] in front of Postfix, logging in there ("mailhost")."""
    return start_postern(overrides=smtps(postfix))
