"""The failed-login penalty is a rate shared by parallel connections, keyed by the canonical
username (SPEC §4); the same canonical name counts simultaneous logins."""
import threading
import time

from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.ldap import ENGINEERING_DN
from harness.secretfiles import write_secret

GUESSER = "127.0.0.9"


def test_parallel_wrong_passwords_for_one_user_are_slowed_as_one(start_postern, pki):
    postern = start_postern()
    for _ in range(2):
        with ImapConnection(postern.port, pki.ca_cert, source=GUESSER) as conn:
            assert conn.login("bob", WRONG_PASSWORD).status == "NO"
    # Five connections (the address's outstanding-per-address) guess at once: one after another.
    answered = []
    lock = threading.Lock()

    def guess():
        with ImapConnection(postern.port, pki.ca_cert, source=GUESSER) as conn:
            conn.login("bob", WRONG_PASSWORD)
            with lock:
                answered.append(time.monotonic())
    started = time.monotonic()
    threads = [threading.Thread(target=guess) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answered) == 5
    spread = max(answered) - min(answered)
    assert spread >= 1.5, f"5 parallel guesses answered within {spread:.2f}s of each other: a delay, not a rate"
    delays = sorted(int(e["delay-ms"]) for e in postern.find("auth-penalty", client=GUESSER))
    assert len(set(delays)) >= 4, f"the parallel guesses did not queue: {delays}"
    assert max(answered) - started < 30


def test_spellings_of_one_ldap_account_share_the_penalty_and_the_login_count(start_postern, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-penalty", ldap.service_password)
    postern = start_postern(overrides={
        "aaa-server-group": {"DIR": {"protocol": "ldap", "timeout": "2s", "retries": 0, "dead-time": "60s",
                                     "group-map": {ENGINEERING_DN: "Engineering"},
                                     "server": [{"url": ldap.ldap_url, "base-dn": ldap.base_dn,
                                                 "bind-dn": ldap.service_dn, "bind-password-file": str(password_file),
                                                 "user-filter": "(uid=%u)", "ca-file": str(pki.ca_cert)}]}},
        "group-policy": {"Engineering": {"simultaneous-logins": 1}},
        "imap4s": {"authentication-server-group": "DIR"},
    })
    # One login slot: alice holds it, and ALICE (the same directory entry) is refused.
    with ImapConnection(postern.port, pki.ca_cert) as first:
        assert first.login("alice", MAIL_USERS["alice"]).ok
        with ImapConnection(postern.port, pki.ca_cert) as second:
            reply = second.login("ALICE", MAIL_USERS["alice"])
            assert reply.status == "NO", reply
            session = postern.session_of_client(second.local_port)
        refused = postern.wait_for("limit-refused", session=session)
        assert refused["limit"] == "simultaneous-logins" and refused["vpn-user"] == "ALICE", refused
    # Failures as "Alice" slow " alice" down too; the log keeps what was typed.
    for spelling in ("Alice", "aLiCe"):
        with ImapConnection(postern.port, pki.ca_cert, source="127.0.0.10") as conn:
            assert conn.login(spelling, WRONG_PASSWORD).status == "NO"
    with ImapConnection(postern.port, pki.ca_cert, source="127.0.0.11") as conn:
        conn.login(" alice", WRONG_PASSWORD)
        session = postern.session_of_client(conn.local_port)
    penalty = postern.wait_for("auth-penalty", session=session)
    assert penalty["vpn-user"] == " alice" and int(penalty["delay-ms"]) > 0, penalty
