"""What must hold after a client misbehaves: no role died or was replaced, and a session
that was logged in before still works."""
from contextlib import contextmanager

from . import mailclients
from .accounts import MAIL_USERS
from .procstatus import is_gone


def role_pids(postern) -> dict:
    """role name -> pid, the supervisor included (relays as relay0, relay1, ...)."""
    pids = {"supervisor": postern.process.pid}
    for child in ("listener", "authd", "relay"):
        for index, pid in postern.current_pids(child).items():
            pids[child if child != "relay" else f"relay{index}"] = pid
    return pids


def assert_roles_survived(postern, before: dict) -> None:
    assert postern.process.poll() is None, f"the supervisor exited\n{postern.log_tail()}"
    died = postern.find("child-died")
    assert not died, f"a role died: {died}"
    after = role_pids(postern)
    assert after == before, f"role pids changed: {before} -> {after}"
    gone = [name for name, pid in after.items() if is_gone(pid)]
    assert not gone, f"roles no longer running: {gone}"


@contextmanager
def witnessed(postern, pki, user: str = "alice", protocol: str = "imap4s"):
    """Runs the block beside a session of `protocol` logged in before it; afterwards every role
    keeps its pid, none died, and that session still answers (IMAP: NOOP and SELECT INBOX)."""
    before = role_pids(postern)
    assert {"listener", "authd", "relay0"} <= before.keys(), before
    witness = mailclients.connect(postern, protocol, pki.ca_cert)
    try:
        assert mailclients.log_in(witness, user, MAIL_USERS[user]), f"the {protocol} witness could not log in"
        yield witness
        assert_roles_survived(postern, before)
        assert mailclients.answers(witness), f"the {protocol} session logged in before the attack no longer answers"
        if protocol == "imap4s":
            assert witness.command("SELECT INBOX").ok, "the session logged in before the attack cannot SELECT"
    finally:
        witness.close()
