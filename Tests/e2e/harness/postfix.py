"""A private Postfix 3.7 on 127.0.0.1 (TESTBED.md §2a): the SMTP mail host behind postern's SMTPS.

Own `-c` configuration directory, queue and log file; it delivers example.org to the test
Dovecot's LMTP, and checks AUTH PLAIN/LOGIN through Dovecot's SASL socket, so its users and
passwords are Dovecot's. Its smtpd ports:

- `auth`: AUTH offered (plaintext allowed: the proxy is on loopback); only an authenticated
  client may send, which is how postern's `authentication = ["aaa", "mailhost"]` meets it
  (`smtps` is the same with implicit TLS);
- `trusted`: no AUTH; whatever comes from mynetworks (127.0.0.0/8) may send: the mail host
  that trusts the proxy, for `authentication = ["aaa"]`.

Both trust 127.0.0.0/8 with XCLIENT (`smtpd_authorized_xclient_hosts`), so the proxy may say
who its client is; the log shows `client=NAME[ADDRESS]` for each message. Needs root.
"""
import os
import pwd
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .certs import Pki
from .logfile import LogFile
from .ports import free_ports, wait_for_port

DOMAIN = "example.org"   # the domain Postfix delivers to Dovecot: user@example.org -> user


@dataclass(frozen=True)
class PostfixPorts:
    auth: int
    trusted: int
    smtps: int      # as `auth`, with implicit TLS: for upstream-tls = "implicit"


_MAIN_CF = """\
# Private Postfix for postern's tests: loopback only, generated, never the system's.
compatibility_level = 3.6
queue_directory = {dir}/spool
data_directory = {dir}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = localhost
mydomain = localdomain
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = {domain}
virtual_transport = lmtp:inet:127.0.0.1:{lmtp}
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {sasl}
smtpd_sasl_security_options = noanonymous
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_authorized_xclient_hosts = 127.0.0.0/8
# Tests fail logins on purpose: answer at once.
smtpd_error_sleep_time = 0
biff = no
"""

_MASTER_CF = """\
127.0.0.1:{ports.auth} inet n - n - - smtpd
127.0.0.1:{ports.smtps} inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
127.0.0.1:{ports.trusted} inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=no
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix(LogFile):
    def __init__(self, directory: Path, pki: Pki, dovecot, ports: PostfixPorts = None):
        if not dovecot.ports.lmtp:
            raise ValueError("Postfix delivers to Dovecot's LMTP, which this Dovecot lacks")
        self.directory = directory
        self.pki = pki
        self.dovecot = dovecot
        self.ports = ports or PostfixPorts(*free_ports(3))
        self.log_path = directory / "maillog"

    def _postfix(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(["postfix", "-c", str(self.directory), *args],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)

    def write_files(self) -> None:
        d = self.directory
        for sub in ("spool", "data"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o755)
        postfix = pwd.getpwnam("postfix")
        os.chown(d / "data", postfix.pw_uid, postfix.pw_gid)
        (d / "main.cf").write_text(_MAIN_CF.format(
            dir=d, domain=DOMAIN, lmtp=self.dovecot.ports.lmtp, sasl=self.dovecot.auth_socket,
            cert=self.pki.server_cert, key=self.pki.server_key))
        (d / "master.cf").write_text(_MASTER_CF.format(ports=self.ports))

    def start(self, timeout: float = 30) -> None:
        if os.geteuid() != 0:
            raise RuntimeError("the test Postfix needs root")
        self.write_files()
        # `postfix start` says nothing on stderr when stdin is no tty (TESTBED §2a): read the log.
        for step in ("check", "start"):
            result = self._postfix(step)
            if result.returncode != 0:
                raise RuntimeError(f"postfix {step} failed ({result.returncode}): {result.stderr}\n{self.log_text()}")
        for port in (self.ports.auth, self.ports.trusted, self.ports.smtps):
            if not wait_for_port("127.0.0.1", port, timeout):
                self.stop()
                raise RuntimeError(f"Postfix did not listen on 127.0.0.1:{port}\n{self.log_text()}")

    def stop(self) -> None:
        self._postfix("stop")
        # The master exits after its children; wait so the ports are free for the next one.
        pid_file = self.directory / "spool" / "pid" / "master.pid"
        deadline = time.monotonic() + 10
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    def client_of_message(self, message_id: str, timeout: float = 15) -> str:
        """The smtpd line `QUEUEID: client=NAME[ADDRESS], ...` of the message with this
        Message-ID: who Postfix took the sender to be, and sasl_username= when it logged in."""
        line = self.wait_for_log(f": message-id=<{message_id}>", timeout=timeout)
        if line is None:
            raise AssertionError(f"Postfix never received <{message_id}>\n{self.log_text()[-3000:]}")
        queue_id = line.split(": message-id=")[0].rsplit(" ", 1)[1]
        return self.wait_for_log(f" {queue_id}: client=", timeout=timeout)

