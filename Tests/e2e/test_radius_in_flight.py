"""More RADIUS requests in flight to one server than one socket has identifiers (256, RFC 2865
§3): authd opens further sockets (source ports) towards the server rather than refuse the
logins beyond the 256th as temporary failures."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.radius import radius_users
from harness.radiusfakes import SlowRadius
from harness.secretfiles import write_secret

LOGINS = 300
DELAY = 4.0     # seconds the server takes to answer: long enough for every login to be in flight


def test_300_logins_in_flight_to_one_slow_server_are_all_accepted(start_postern, pki, e2e_dir):
    # One VPN user per login (simultaneous-logins counts per user), each logging in to one of
    # four mail users (Dovecot allows 100 sessions per user from postern's address).
    mail_users = ["alice", "bob", "carol", "dave"]
    logins = [(f"load{i:03d}", f"loadpw-{i:03d}", mail_users[i % len(mail_users)]) for i in range(LOGINS)]
    with SlowRadius(delay=DELAY, users=radius_users(**{vpn: pw for vpn, pw, _ in logins})) as slow:
        secret = write_secret(e2e_dir / "radius-secret-in-flight", slow.secret)
        postern = start_postern(overrides={
            "aaa-server-group": {"SLOW": {
                "protocol": "radius", "timeout": "10s", "retries": 1, "dead-time": "60s",
                "server": [{"host": "127.0.0.1", "auth-port": slow.port, "acct-port": slow.port,
                            "secret-file": str(secret)}]}},
            # Every connection waits for its LOGIN at once: no outstanding limit may close one.
            "imap4s": {"authentication-server-group": "SLOW", "outstanding": 0, "outstanding-per-address": 0},
            "limits": {"authentication-timeout": "60s"},
        })

        # First every connection, greeted (from several loopback addresses); then every LOGIN
        # at once, so that all of them wait on the server together.
        def connect(i):
            return ImapConnection(postern.port, pki.ca_cert, source=f"127.0.0.{1 + i % 20}", timeout=60)

        with ThreadPoolExecutor(max_workers=32) as pool:
            connections = list(pool.map(connect, range(LOGINS)))
        go = threading.Event()
        replies = [None] * LOGINS

        def log_in(i):
            vpn, password, mail_user = logins[i]
            go.wait()
            try:
                replies[i] = connections[i].login(f"{vpn}:{mail_user}", f"{password}:{MAIL_USERS[mail_user]}")
            except Exception as e:      # noqa: BLE001 - reported below with the others
                replies[i] = e
            finally:
                connections[i].close()

        threads = [threading.Thread(target=log_in, args=(i,), daemon=True) for i in range(LOGINS)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        go.set()
        for thread in threads:
            thread.join(max(1.0, 90 - (time.monotonic() - started)))

        failed = {logins[i][0]: reply for i, reply in enumerate(replies) if getattr(reply, "status", None) != "OK"}
        assert not failed, f"{len(failed)} of {LOGINS} logins not accepted, e.g. {list(failed.items())[:5]}"
        arrivals = sorted(r.at for r in slow.requests if r.code == 1)
        # Most requests waiting on the server at one moment (each waits DELAY seconds).
        most = max(sum(1 for t in arrivals if at - DELAY < t <= at) for at in arrivals)
        assert most > 256, f"at most {most} requests were in flight together: the test did not load enough"
        ports = slow.source_ports()
        assert len(ports) > 1, f"every request came from one source port: {ports}"
        assert len(ports) <= 16, ports
    assert postern.find("auth-result", result="temporary-failure") == []
