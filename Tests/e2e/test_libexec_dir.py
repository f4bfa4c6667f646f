"""POSTERN_LIBEXEC_DIR picks the helper executables in a build or test tree; started as root,
postern ignores it, so that whoever sets the environment of a root process cannot choose the
program that runs as authd or a relay."""
import os
from pathlib import Path

from harness.accounts import MAIL_USERS
from harness.imapclient import login_eventually


def test_root_ignores_postern_libexec_dir(start_postern, pki, e2e_dir):
    if os.geteuid() != 0:
        import pytest
        pytest.skip("needs root")
    decoys = Path(e2e_dir) / "libexec-decoys"
    decoys.mkdir(exist_ok=True)
    marker = decoys / "ran"
    marker.unlink(missing_ok=True)
    for name in ("postern-authd", "postern-relay"):
        helper = decoys / name
        helper.write_text(f"#!/bin/sh\necho \"$0\" >> {marker}\nexit 1\n")
        helper.chmod(0o755)
    os.chmod(decoys, 0o755)
    os.chmod(e2e_dir, os.stat(e2e_dir).st_mode | 0o011)
    postern = start_postern(environment={"POSTERN_LIBEXEC_DIR": str(decoys)})
    login_eventually(postern.port, pki.ca_cert, "alice", MAIL_USERS["alice"], timeout=15).logout()
    assert not marker.exists(), marker.read_text()
    for child in ("authd", "relay"):
        assert postern.current_pids(child), child
