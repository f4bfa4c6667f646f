"""postern check-config (SPEC §2): 0 for a good file, 1 naming the offending key, and it
binds nothing."""
import socket
import tempfile
from pathlib import Path

import pytest

from harness import tomlwriter
from harness.accounts import vpn_users
from harness.postern import Postern


@pytest.fixture
def configured(e2e_dir, pki):
    directory = Path(tempfile.mkdtemp(prefix="cc-", dir=e2e_dir))
    postern = Postern(directory, pki, "127.0.0.1:10143", allowed_servers=["127.0.0.2:10143"],
                      users=vpn_users())
    postern.write_files()
    return postern


def with_overrides(postern, overrides):
    path = postern.directory / "variant.toml"
    path.write_text(tomlwriter.dumps(tomlwriter.merged(postern.config(), overrides)))
    return path


def test_good_file_passes(configured):
    result = configured.check_config()
    assert result.returncode == 0, result.stderr


def test_check_config_binds_nothing(configured):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", configured.port))
        holder.listen(1)
        result = configured.check_config()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("overrides,key", [
    ({"imap4s": {"outstandingg": 3}}, "outstandingg"),
    ({"group-policy": {"DfltGrpPolicy": {"simultaneous-loginz": 3}}}, "simultaneous-loginz"),
    ({"tls": {"private-kee": "/tmp/x"}}, "private-kee"),
])
def test_unknown_key_fails_naming_it(configured, overrides, key):
    result = configured.check_config(with_overrides(configured, overrides))
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert key in result.stderr, result.stderr


def test_bad_value_fails_naming_the_key(configured):
    result = configured.check_config(with_overrides(configured, {"imap4s": {"upstream-tls": "sometimes"}}))
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "upstream-tls" in result.stderr, result.stderr
