"""First run (SPEC §8): postern started by hand with the README's minimal configuration
creates the admin socket's directory when it is missing, and serves."""
import grp
import os
import re
import shutil
import stat
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pytest

from harness.accounts import MAIL_USERS, vpn_users
from harness.imapclient import ImapConnection
from harness.paths import REPO, binary
from harness.postern import Postern

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the directory is made under /run, by root")


def readme_minimal_config() -> dict:
    """The TOML block after "The smallest useful setup" in README.md, as a dict."""
    text = (REPO / "README.md").read_text()
    after = text[text.index("The smallest useful setup"):]
    block = re.search(r"```toml\n(.*?)```", after, re.S).group(1)
    return tomllib.loads(block)


class ReadmePostern(Postern):
    """The README's file with only what the harness needs changed: our files, loopback, a free
    port, the test Dovecot, and the admin socket in a directory of our own under /run."""

    def __init__(self, *args, admin_socket: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin_socket = admin_socket

    def config(self) -> dict:
        d = self.directory
        config = readme_minimal_config()
        assert "admin" not in config, "the README's minimal file now has [admin]: this test is about its default"
        config["tls"] = {"certificate": str(d / "server.pem"), "private-key": str(d / "server.key")}
        config["interface"][0]["addresses"] = ["127.0.0.1"]
        config["aaa-server-group"]["LOCAL"]["users-file"] = str(d / "users")
        config["imap4s"].update(port=self.port, server=self.server)
        config["admin"] = {"socket": self.admin_socket}
        return config


@pytest.fixture
def run_directory():
    """A fresh name under /run that does not exist yet; removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="postern-test-", dir="/run"))
    parent.rmdir()
    yield parent
    shutil.rmtree(parent, ignore_errors=True)


def test_the_readme_configuration_starts_without_the_admin_directory_and_serves_a_login(e2e_dir, pki, dovecot, run_directory):
    assert not run_directory.exists()
    socket_path = run_directory / "admin.sock"
    postern = ReadmePostern(Path(tempfile.mkdtemp(prefix="p-", dir=e2e_dir)), pki,
                            f"127.0.0.1:{dovecot.ports.imap}", users=vpn_users(), admin_socket=str(socket_path))
    try:
        postern.start()
        made = os.stat(run_directory)
        assert stat.S_ISDIR(made.st_mode) and oct(made.st_mode & 0o777) == "0o750"
        try:
            group = grp.getgrnam("postern-admin").gr_gid
        except KeyError:
            group = 0
        assert (made.st_uid, made.st_gid) == (0, group)
        assert stat.S_ISSOCK(os.stat(socket_path).st_mode)

        conn = ImapConnection(postern.port, pki.ca_cert)
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        assert conn.command("NOOP").ok
        status = subprocess.run([str(binary("posternctl")), "--socket", str(socket_path), "status"],
                                capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        conn.logout()
    finally:
        postern.stop()
