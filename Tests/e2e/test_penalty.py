"""The failed-login penalty is a rate shared by parallel connections, keyed by the canonical
username (SPEC §4); the same canonical name counts simultaneous logins."""
import threading
import time

from harness import soakload
from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.ldap import ldap_group, ldap_server
from harness.secretfiles import write_secret

GUESSER = "127.0.0.9"
SPELLER = "127.0.0.10"


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
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file), timeout="2s")},
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
    wait_until_no_login_slot(postern)
    # From one address: failures typed as "Alice" and " alice", then the right password typed as
    # "ALICE" (Dovecot lowercases the mail user by default). The success clears what that one account failed from there, so the address is
    # not slowed afterwards; were the spellings separate accounts, two failures would remain.
    for spelling in ("Alice", " alice"):
        with ImapConnection(postern.port, pki.ca_cert, source=SPELLER) as conn:
            assert conn.login(spelling, WRONG_PASSWORD).status == "NO"
    with ImapConnection(postern.port, pki.ca_cert, source=SPELLER) as conn:
        assert conn.login("ALICE", MAIL_USERS["alice"]).ok
        session = postern.session_of_client(conn.local_port)
    penalty = postern.wait_for("auth-penalty", session=session)
    assert penalty["vpn-user"] == "ALICE" and int(penalty["delay-ms"]) > 0, penalty
    with ImapConnection(postern.port, pki.ca_cert, source=SPELLER) as conn:
        assert conn.login("bob", WRONG_PASSWORD).status == "NO"
        session = postern.session_of_client(conn.local_port)
    postern.wait_for("auth-result", session=session)
    assert not postern.find("auth-penalty", session=session), "the success did not clear its spellings' failures"


def test_a_users_failures_from_another_address_do_not_slow_its_login(start_postern, pki):
    """Anyone can type a known user's name: a guesser elsewhere must not slow that user down."""
    postern = start_postern()
    for _ in range(4):
        with ImapConnection(postern.port, pki.ca_cert, source=GUESSER) as conn:
            assert conn.login("bob", WRONG_PASSWORD).status == "NO"
    with ImapConnection(postern.port, pki.ca_cert, source=SPELLER) as conn:
        assert conn.login("bob", MAIL_USERS["bob"]).ok
        session = postern.session_of_client(conn.local_port)
    assert postern.find("auth-penalty", client=GUESSER)
    assert not postern.find("auth-penalty", session=session)


def wait_until_no_login_slot(postern, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while soakload.tables_of_every_role(postern.directory / "admin.sock")["authd 0"]["login-slots"]:
        assert time.monotonic() < deadline, "a closed session still holds its login slot"
        time.sleep(0.1)
