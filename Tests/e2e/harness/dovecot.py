"""A private Dovecot 2.3 mail host on loopback (TESTBED.md §1).

Own `-c` config, foreground master (`dovecot -F`), passwd-file users with {PLAIN}
passwords, Maildir storage owned by vmail, a log file the tests read. It listens on each
of `addresses` (127.0.0.1 and 127.0.0.2 make two "mail hosts" of one instance), IMAP with
STARTTLS, IMAPS, POP3 with STLS and POP3S, and LMTP (where Postfix delivers, TESTBED §2a);
its auth service offers a SASL socket to Postfix. Needs root (it switches to dovecot,
dovenull and vmail).
"""
import grp
import imaplib
import os
import pwd
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .certs import Pki
from .logfile import LogFile
from .messages import body_token, make_message
from .ports import free_ports, wait_for_port
from .serverprocess import ServerProcess


@dataclass(frozen=True)
class DovecotPorts:
    imap: int
    imaps: int
    pop3: int
    pop3s: int
    lmtp: int = 0   # 0: no LMTP service

    def listening(self) -> list:
        return [p for p in (self.imap, self.imaps, self.pop3, self.pop3s, self.lmtp) if p]


_CONFIG = """\
# Private Dovecot for postern's tests: loopback only, generated, never the system's.
protocols = {protocols}
listen = {listen}
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = {instance}
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
auth_verbose = yes
auth_failure_delay = 0
disable_plaintext_auth = no
auth_mechanisms = plain login
hostname = localhost
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
mail_location = maildir:{dir}/mail/%u/Maildir
first_valid_uid = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {dir}/users
  default_fields = uid=vmail gid=vmail home={dir}/mail/%u
}}
protocol imap {{
  # Tests open many sessions of one user from the proxy's one address.
  mail_max_userip_connections = 100
}}
# No auth penalty: the tests fail logins on purpose, all from the proxy's one address, and
# the penalty would delay every later login from it by up to 15 s.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {ports.imap}
  }}
  inet_listener imaps {{
    port = {ports.imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {ports.pop3}
  }}
  inet_listener pop3s {{
    port = {ports.pop3s}
    ssl = yes
  }}
}}
# Postfix checks AUTH through this socket (smtpd_sasl_type = dovecot); its smtpd runs as postfix.
service auth {{
  unix_listener auth-client {{
    mode = 0666
  }}
}}
"""

_LMTP = """\
service lmtp {{
  inet_listener lmtp {{
    port = {ports.lmtp}
  }}
}}
protocol lmtp {{
  # Postfix delivers RCPT TO:<bob@example.org>; the passwd-file key is bob.
  auth_username_format = %Ln
}}
"""

# Trusted networks may name the client's own address: IMAP ID x-originating-ip, POP3 XCLIENT.
_TRUSTED = "login_trusted_networks = {networks}\n"


class Dovecot(LogFile, ServerProcess):
    def __init__(self, directory: Path, pki: Pki, users: dict,
                 addresses=("127.0.0.1", "127.0.0.2"), ports: DovecotPorts = None,
                 extra_fields: dict = None, trusted_networks: str = None):
        """extra_fields: user -> passdb extra fields (e.g. `nologin reason=...`);
        trusted_networks: login_trusted_networks, to accept the client address from a proxy."""
        self.directory = directory
        self.pki = pki
        self.users = dict(users)
        self.addresses = tuple(addresses)
        self.ports = ports or DovecotPorts(*free_ports(5, self.addresses))
        self.extra_fields = dict(extra_fields or {})
        self.trusted_networks = trusted_networks
        self.config = directory / "dovecot.conf"
        self.log_path = directory / "dovecot.log"
        self.process = None
        self.tokens = {}   # user -> body token of the first message delivered by deliver_marked

    # -- files --------------------------------------------------------------

    def write_files(self) -> None:
        d = self.directory
        for sub in ("run", "state", "mail"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o755)
        vmail = pwd.getpwnam("vmail")
        os.chown(d / "mail", vmail.pw_uid, vmail.pw_gid)

        users = d / "users"
        users.write_text("".join(f"{name}:{{PLAIN}}{pw}::::::{self.extra_fields.get(name, '')}\n"
                                 for name, pw in self.users.items()))
        os.chown(users, 0, grp.getgrnam("dovecot").gr_gid)   # its auth process runs as dovecot
        os.chmod(users, 0o640)

        text = _CONFIG.format(
            protocols="imap pop3 lmtp" if self.ports.lmtp else "imap pop3",
            listen=", ".join(self.addresses), dir=d, instance=f"postern-e2e-{secrets.token_hex(4)}",
            cert=self.pki.server_cert, key=self.pki.server_key, ports=self.ports)
        if self.ports.lmtp:
            text += _LMTP.format(ports=self.ports)
        if self.trusted_networks:
            text += _TRUSTED.format(networks=self.trusted_networks)
        self.config.write_text(text)

    # -- life cycle ---------------------------------------------------------

    def start(self, timeout: float = 20) -> None:
        if os.geteuid() != 0:
            raise RuntimeError("the test Dovecot needs root (it switches to dovecot/dovenull/vmail)")
        self.write_files()
        check = subprocess.run(["doveconf", "-c", str(self.config), "-n"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"doveconf rejected {self.config}:\n{check.stderr}")
        out = open(self.directory / "dovecot.stdout", "ab")
        self.process = subprocess.Popen(["dovecot", "-F", "-c", str(self.config)],
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        for address in self.addresses:
            for port in self.ports.listening():
                if not wait_for_port(address, port, timeout):
                    self.stop()
                    raise RuntimeError(f"Dovecot did not listen on {address}:{port}\n{self.log_text()}")

    @property
    def auth_socket(self) -> Path:
        """The SASL socket for Postfix (smtpd_sasl_path)."""
        return self.directory / "run" / "auth-client"

    # -- mail ---------------------------------------------------------------

    def deliver(self, user: str, message: bytes) -> None:
        """Saves `message` into the user's INBOX (Dovecot must be running: doveadm asks its auth)."""
        result = subprocess.run(["doveadm", "-c", str(self.config), "save", "-u", user],
                                input=message, capture_output=True)
        if result.returncode != 0:
            raise RuntimeError(f"doveadm save -u {user} failed: {result.stderr.decode(errors='replace')}")

    def deliver_marked(self, user: str, subject: str = "postern e2e") -> str:
        """Delivers a message whose body carries a fresh token; returns the token."""
        token = body_token(user)
        self.deliver(user, make_message(user, subject, f"Hello {user}.\n{token}\n"))
        self.tokens.setdefault(user, token)
        return token

    def wait_for_message(self, user: str, needle: bytes, timeout: float = 15) -> bytes:
        """The first message in the user's INBOX containing `needle`, read over plain IMAP
        straight from Dovecot (not through postern); polled until it arrives."""
        deadline = time.monotonic() + timeout
        while True:
            with imaplib.IMAP4(self.addresses[0], self.ports.imap, timeout=10) as imap:
                imap.login(user, self.users[user])
                imap.select("INBOX", readonly=True)
                typ, data = imap.search(None, "ALL")
                for number in reversed(data[0].split() if typ == "OK" else []):
                    typ, fetched = imap.fetch(number, "(BODY.PEEK[])")
                    message = fetched[0][1] if typ == "OK" and isinstance(fetched[0], tuple) else b""
                    if needle in message:
                        return message
            if time.monotonic() >= deadline:
                raise AssertionError(f"no message containing {needle!r} reached {user} within {timeout}s")
            time.sleep(0.2)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
