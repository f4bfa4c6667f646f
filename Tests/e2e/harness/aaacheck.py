"""By-hand check of the RADIUS and LDAP harness against the real clients (not a test):

    cd Tests/e2e && python3 -m harness.aaacheck      # as root; prints each command and its result

FreeRADIUS: radclient with Message-Authenticator gets Accept with Class for alice, Reject for a
wrong password, nothing without Message-Authenticator; accounting lands in the detail file and
parses; the Python codec and FreeRADIUS agree on signatures. Fakes: the slow responder answers
after its delay and radclient accepts its signatures (and refuses a broken
Message-Authenticator); the silent port never answers. slapd: ldapwhoami over StartTLS and
ldaps with CA verification, ldapsearch as the service account finds alice's memberOf.
"""
import hashlib
import hmac
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import radiuspackets as rp
from .certs import make_pki
from .ldap import BASE_DN, ENGINEERING_DN, SERVICE_DN, Ldap, user_dn
from .radius import Radius
from .radiusfakes import SilentUdpPort, SlowRadius

ENGINEERING_HEX = "0x" + b"OU=Engineering;".hex()
failures = []


def run(command: list, stdin: str = "", env=None) -> str:
    started = time.monotonic()
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env)
    out = (result.stdout + result.stderr).strip()
    print(f"$ {' '.join(command)}   [rc={result.returncode}, {time.monotonic() - started:.2f}s]")
    print("  " + out.replace("\n", "\n  ") + "\n")
    return out


def expect(what: str, ok: bool) -> None:
    print(f"{'OK  ' if ok else 'FAIL'} {what}\n")
    if not ok:
        failures.append(what)


def radclient(server: str, kind: str, secret_file: Path, attributes: str, timeout=2, retries=1) -> str:
    return run(["radclient", "-x", "-t", str(timeout), "-r", str(retries), "-S", str(secret_file),
                server, kind], attributes)


def check_freeradius(work: Path) -> None:
    radius = Radius(work / "radius").start()
    try:
        secret = work / "radius.secret"
        secret.write_text(radius.secret + "\n")
        auth, acct = f"127.0.0.1:{radius.ports.auth}", f"127.0.0.1:{radius.ports.acct}"
        out = radclient(auth, "auth", secret, 'User-Name = "alice"\nUser-Password = "alicepw"\nMessage-Authenticator = 0x00\n')
        expect("alice: Access-Accept with Class OU=Engineering;, signed (Message-Authenticator)",
               "Received Access-Accept" in out and ENGINEERING_HEX in out and "Message-Authenticator = 0x" in out)
        out = radclient(auth, "auth", secret, 'User-Name = "bob"\nUser-Password = "bobpw"\nMessage-Authenticator = 0x00\n')
        expect("bob: Access-Accept without Class", "Received Access-Accept" in out and "Class" not in out)
        out = radclient(auth, "auth", secret, 'User-Name = "alice"\nUser-Password = "wrongpw"\nMessage-Authenticator = 0x00\n')
        expect("alice, wrong password: Access-Reject, signed", "Received Access-Reject" in out and "Message-Authenticator = 0x" in out)
        out = radclient(auth, "auth", secret, 'User-Name = "alice"\nUser-Password = "alicepw"\n', timeout=1, retries=1)
        expect("no Message-Authenticator: no answer", "No reply from server" in out)

        session = "e2e-0001"
        radclient(acct, "acct", secret, f'Acct-Status-Type = Start\nAcct-Session-Id = "{session}"\nUser-Name = "alice"\n'
                  'Calling-Station-Id = "192.0.2.7"\nNAS-IP-Address = 127.0.0.1\nClass = "OU=Engineering;"\n')
        radclient(acct, "acct", secret, f'Acct-Status-Type = Stop\nAcct-Session-Id = "{session}"\nUser-Name = "alice"\n'
                  'Calling-Station-Id = "192.0.2.7"\nNAS-IP-Address = 127.0.0.1\nAcct-Input-Octets = 1234\n'
                  'Acct-Output-Octets = 56789\nAcct-Session-Time = 42\nAcct-Terminate-Cause = User-Request\n')
        start = radius.wait_for_accounting(Acct_Session_Id=session, Acct_Status_Type="Start")
        stop = radius.wait_for_accounting(Acct_Session_Id=session, Acct_Status_Type="Stop")
        print(f"detail Start record: {start}\ndetail Stop record:  {stop}\n")
        expect("detail file: Start and Stop parse with their attributes",
               start["User-Name"] == "alice" and start["Calling-Station-Id"] == "192.0.2.7"
               and stop["Acct-Input-Octets"] == "1234" and stop["Acct-Output-Octets"] == "56789"
               and stop["Acct-Session-Time"] == "42" and stop["Acct-Terminate-Cause"] == "User-Request")

        raw, answer = python_access_request(radius.ports.auth, radius.secret, "alice", "alicepw")
        expect("Python codec -> FreeRADIUS: Accept with Class, both authenticators verify",
               answer is not None and rp.decode(answer).code == rp.ACCESS_ACCEPT
               and rp.decode(answer).text("Class") == "OU=Engineering;"
               and rp.response_authenticator_ok(answer, raw[4:20], radius.secret.encode())
               and rp.message_authenticator_ok(answer, radius.secret.encode(), raw[4:20]))
        print(radius.log_text()[-600:])
    finally:
        radius.stop()


def python_access_request(port: int, secret: str, user: str, password: str):
    authenticator = bytes(range(16))
    request = rp.Packet(rp.ACCESS_REQUEST, 7, authenticator, [
        (1, user.encode()), (2, rp.hide_password(password.encode(), secret.encode(), authenticator)),
        (rp.MESSAGE_AUTHENTICATOR, b"\0" * 16)])
    digest = hmac.new(secret.encode(), request.encode(), hashlib.md5).digest()
    request.attributes[-1] = (rp.MESSAGE_AUTHENTICATOR, digest)
    raw = request.encode()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(raw, ("127.0.0.1", port))
        try:
            return raw, s.recv(4096)
        except socket.timeout:
            return raw, None


class _BrokenMessageAuthenticator(SlowRadius):
    """Signs the Response Authenticator right but the Message-Authenticator wrong."""

    def _decide(self, data, request):
        answer = super()._decide(data, request)
        if answer is None or request.code != rp.ACCESS_REQUEST:
            return answer
        packet = rp.decode(answer)
        packet.authenticator = request.authenticator
        packet.attributes = [(t, bytes(16) if t == rp.MESSAGE_AUTHENTICATOR else v) for t, v in packet.attributes]
        draft = packet.encode()
        return draft[:4] + hashlib.md5(draft + self.secret.encode()).digest() + draft[20:]


def check_fakes(work: Path) -> None:
    with SlowRadius(delay=1.5) as slow:
        secret = work / "slow.secret"
        secret.write_text(slow.secret + "\n")
        started = time.monotonic()
        out = radclient(f"127.0.0.1:{slow.port}", "auth", secret,
                        'User-Name = "alice"\nUser-Password = "alicepw"\nMessage-Authenticator = 0x00\n', timeout=4)
        took = time.monotonic() - started
        expect(f"slow responder: Accept with Class after {took:.2f}s (delay 1.5s), signature accepted",
               "Received Access-Accept" in out and ENGINEERING_HEX in out and took >= 1.5 and "invalid" not in out)
        out = radclient(f"127.0.0.1:{slow.port}", "auth", secret,
                        'User-Name = "bob"\nUser-Password = "nope"\nMessage-Authenticator = 0x00\n', timeout=4)
        expect("slow responder: Reject for a wrong password", "Received Access-Reject" in out)
        out = radclient(f"127.0.0.1:{slow.port}", "acct", secret,
                        'Acct-Status-Type = Start\nAcct-Session-Id = "s1"\nUser-Name = "alice"\n', timeout=4)
        expect("slow responder: Accounting-Response", "Received Accounting-Response" in out)
        wrong = work / "wrong.secret"
        wrong.write_text("not-the-secret\n")
        out = radclient(f"127.0.0.1:{slow.port}", "auth", wrong,
                        'User-Name = "alice"\nUser-Password = "alicepw"\nMessage-Authenticator = 0x00\n', timeout=1)
        expect("slow responder: drops a request signed with another secret",
               "No reply from server" in out and slow.dropped == 1)
    with _BrokenMessageAuthenticator(delay=0) as broken:
        secret = work / "broken.secret"
        secret.write_text(broken.secret + "\n")
        out = radclient(f"127.0.0.1:{broken.port}", "auth", secret,
                        'User-Name = "alice"\nUser-Password = "alicepw"\nMessage-Authenticator = 0x00\n', timeout=1)
        expect("radclient checks the reply's Message-Authenticator (a broken one is refused)",
               "Received Access-Accept" not in out)
    with SilentUdpPort() as silent:
        secret = work / "silent.secret"
        secret.write_text("whatever\n")
        out = radclient(f"127.0.0.1:{silent.port}", "auth", secret,
                        'User-Name = "alice"\nUser-Password = "alicepw"\nMessage-Authenticator = 0x00\n', timeout=1, retries=2)
        expect(f"silent port: no reply, {silent.received} datagram(s) received",
               "No reply from server" in out and silent.received >= 1)


def check_ldap(work: Path, pki) -> None:
    ldap = Ldap(work / "ldap", pki).start()
    try:
        env = ldap.client_env()
        alice = ["-D", user_dn("alice"), "-w", "alicepw"]
        out = run(["ldapwhoami", "-x", "-ZZ", "-H", ldap.ldap_url, *alice], env=env)
        expect("ldapwhoami alice over StartTLS, CA verified", out == f"dn:{user_dn('alice')}")
        out = run(["ldapwhoami", "-x", "-H", ldap.ldaps_url, *alice], env=env)
        expect("ldapwhoami alice over ldaps, CA verified", out == f"dn:{user_dn('alice')}")
        out = run(["ldapwhoami", "-x", "-H", ldap.ldaps_url, "-D", user_dn("alice"), "-w", "wrongpw"], env=env)
        expect("ldapwhoami alice, wrong password: Invalid credentials (49)", "Invalid credentials (49)" in out)
        other = {**env, "LDAPTLS_CACERT": str(pki.other_ca_cert)}
        out = run(["ldapwhoami", "-x", "-H", ldap.ldaps_url, *alice], env=other)
        expect("ldaps against another CA fails", "Can't contact LDAP server" in out)
        service = ["-D", SERVICE_DN, "-w", ldap.service_password]
        out = run(["ldapsearch", "-x", "-LLL", "-ZZ", "-H", ldap.ldap_url, *service, "-b", BASE_DN, "(uid=alice)", "memberOf"], env=env)
        expect("service account finds alice's memberOf engineering", f"memberOf: {ENGINEERING_DN}" in out)
        out = run(["ldapsearch", "-x", "-LLL", "-H", ldap.ldaps_url, *service, "-b", BASE_DN, "(uid=bob)", "memberOf"], env=env)
        expect("bob: found, in no group", f"dn: {user_dn('bob')}" in out and "memberOf" not in out)
        out = run(["ldapsearch", "-x", "-LLL", "-H", ldap.ldaps_url, "-b", BASE_DN, "(uid=alice)", "memberOf"], env=env)
        expect("anonymous search finds nothing", "memberOf" not in out)
    finally:
        ldap.stop()


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="postern-aaacheck-"))
    work.chmod(0o755)   # FreeRADIUS reads its copy as freerad
    pki = make_pki(work / "pki")
    check_freeradius(work)
    check_fakes(work)
    check_ldap(work, pki)
    if failures:
        print(f"{len(failures)} failure(s): {failures} (files in {work})")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
