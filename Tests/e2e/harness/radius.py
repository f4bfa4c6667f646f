"""A private FreeRADIUS 3.2 on 127.0.0.1 (TESTBED.md §3): the RADIUS server behind postern's AAA.

A copy of /etc/freeradius/3.0 in its own directory, with the distribution's sites and EAP
removed and one site, `postern_e2e`, listening on free auth and acct ports of 127.0.0.1.
One client, 127.0.0.1, with a generated secret and `require_message_authenticator = yes`
(requests without Message-Authenticator are dropped, as RFC 3579 / BlastRADIUS asks).
Users live in mods-config/files/authorize with Cleartext-Password (PAP) and optional reply
attributes (Class = "OU=<policy>;" names the group policy, SPEC §3). Accounting goes to the
detail file, which `accounting_records()` parses. Runs in the foreground (`-f -l stdout`;
`debug=True` adds `-xx`, whose output shows passwords), ready at "Ready to process
requests"; as root it drops to user freerad, so its directory belongs to freerad.
"""
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .accounts import vpn_users
from .logfile import LogFile
from .serverprocess import ServerProcess

SYSTEM_RADDB = Path("/etc/freeradius/3.0")
ENGINEERING_CLASS = "OU=Engineering;"


@dataclass(frozen=True)
class RadiusUser:
    password: str
    reply: tuple = ()   # ((attribute, value), ...), e.g. (("Class", "OU=Engineering;"),)


def radius_users(**overrides) -> dict:
    """Every VPN user of accounts.py with its password; alice carries Class "OU=Engineering;".
    `overrides`: name -> RadiusUser, or a password string for a user without reply attributes."""
    users = {name: RadiusUser(pw) for name, pw in vpn_users().items()}
    users["alice"] = RadiusUser(users["alice"].password, (("Class", ENGINEERING_CLASS),))
    for name, user in overrides.items():
        users[name] = user if isinstance(user, RadiusUser) else RadiusUser(user)
    return users


@dataclass(frozen=True)
class RadiusPorts:
    auth: int
    acct: int


def free_udp_ports(count: int, address: str = "127.0.0.1") -> list:
    """UDP ports free at `address` right now (all held at once while picking, so distinct)."""
    held = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((address, 0))
            held.append(s)
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


_SITE = """\
server postern_e2e {{
	listen {{
		type = auth
		ipaddr = 127.0.0.1
		port = {ports.auth}
	}}
	listen {{
		type = acct
		ipaddr = 127.0.0.1
		port = {ports.acct}
	}}
	authorize {{
		preprocess
		files
		pap
	}}
	authenticate {{
		Auth-Type PAP {{
			pap
		}}
	}}
	preacct {{
		preprocess
		acct_unique
	}}
	accounting {{
		detail
		ok
	}}
	post-auth {{
{sign}		Post-Auth-Type REJECT {{
{sign_reject}			ok
		}}
	}}
}}
"""

# FreeRADIUS 3.2.1 signs a reply with Message-Authenticator only when the reply carries one
# (3.2.5 and later always do, after BlastRADIUS); this makes it sign every Accept and Reject.
_SIGN_REPLY = """\
		update reply {
			Message-Authenticator := 0x00
		}
"""

_CLIENTS = """\
client postern_e2e {{
	ipaddr = 127.0.0.1
	secret = "{secret}"
	require_message_authenticator = yes
	nas_type = other
}}
"""


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def users_file_text(users: dict) -> str:
    """mods-config/files/authorize: one entry per user, reply attributes on the next lines."""
    entries = []
    for name, user in users.items():
        check = f"{_quoted(name)}\tCleartext-Password := {_quoted(user.password)}\n"
        replies = ",\n".join(f"\t{attribute} := {_quoted(value)}" for attribute, value in user.reply)
        entries.append(check + (replies + "\n" if replies else ""))
    return "\n".join(entries)


def parse_detail(text: str) -> list:
    """Records of a FreeRADIUS detail file as dicts: attribute -> value (strings unquoted,
    numbers and enumeration names as written), plus "_timestamp_line" (the record's header)."""
    records, current = [], None
    for line in text.splitlines():
        if not line.strip():
            current = None
            continue
        if not line[0].isspace():
            current = {"_timestamp_line": line.strip()}
            records.append(current)
            continue
        name, sep, value = line.strip().partition(" = ")
        if current is None or not sep:
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        current[name] = value
    return records


class Radius(LogFile, ServerProcess):
    def __init__(self, directory: Path, users: dict = None, ports: RadiusPorts = None,
                 secret: str = None, sign_replies: bool = True, debug: bool = False):
        """users: name -> RadiusUser (default radius_users()); secret: the shared secret of
        the 127.0.0.1 client (default: generated); sign_replies: Message-Authenticator in
        every Access-Accept/Reject (False: as stock 3.2.1, which sends none)."""
        self.directory = directory
        self.users = dict(users if users is not None else radius_users())
        self.ports = ports or RadiusPorts(*free_udp_ports(2))
        self.secret = secret or secrets.token_hex(16)
        self.sign_replies = sign_replies
        self.debug = debug
        self.raddb = directory / "raddb"
        self.log_path = directory / "radiusd.log"
        self.detail_dir = self.raddb / "log" / "radacct"
        self.process = None

    # -- files --------------------------------------------------------------

    def write_files(self) -> None:
        d = self.raddb
        if not d.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            os.chmod(self.directory, 0o755)
            shutil.copytree(SYSTEM_RADDB, d, symlinks=True)
            conf = d / "radiusd.conf"
            text = conf.read_text()
            text = _set(text, "logdir", f"{d}/log")
            text = _set(text, "raddbdir", str(d))
            text = _set(text, "run_dir", f"{d}/run")
            text = _set(text, "proxy_requests", "no")   # else a proxy socket on 0.0.0.0
            # Log each login's outcome (not its password): tests can see that a check happened.
            text = _replace_once(text, "\tauth = no\n", "\tauth = yes\n")
            # Tests send wrong passwords on purpose: reject at once, not after a second.
            text = _replace_once(text, "\treject_delay = 1\n", "\treject_delay = 0\n")
            conf.write_text(text)
            for sub in ("log", "run", "log/radacct"):
                (d / sub).mkdir(exist_ok=True)
            for name in ("default", "inner-tunnel"):
                (d / "sites-enabled" / name).unlink(missing_ok=True)
            (d / "mods-enabled" / "eap").unlink(missing_ok=True)   # needs the default site's Auth-Type EAP
            (d / "sites-enabled" / "postern_e2e").symlink_to("../sites-available/postern_e2e")
        sign = _SIGN_REPLY if self.sign_replies else ""
        sign_reject = "".join("\t" + line for line in sign.splitlines(keepends=True))
        (d / "sites-available" / "postern_e2e").write_text(_SITE.format(ports=self.ports, sign=sign, sign_reject=sign_reject))
        (d / "clients.conf").write_text(_CLIENTS.format(secret=self.secret))
        (d / "mods-config" / "files" / "authorize").write_text(users_file_text(self.users))
        if os.geteuid() == 0:
            freerad = pwd.getpwnam("freerad")
            for path in [d, *d.rglob("*")]:
                os.lchown(path, freerad.pw_uid, freerad.pw_gid)

    # -- life cycle ---------------------------------------------------------

    def start(self, timeout: float = 10) -> "Radius":
        if os.geteuid() != 0:
            raise RuntimeError("the test FreeRADIUS needs root (it reads a copy of /etc/freeradius, drops to freerad)")
        self.write_files()
        check = subprocess.run(["freeradius", "-XC", "-d", str(self.raddb)], capture_output=True, text=True)
        if check.returncode != 0:
            # The end of the debug output names the problem (the start echoes the configuration).
            tail = "\n".join((check.stdout + check.stderr).splitlines()[-15:])
            raise RuntimeError(f"freeradius -XC rejected {self.raddb}:\n{tail}")
        since = self.log_offset()
        out = open(self.log_path, "ab")
        flags = ["-f", "-xx"] if self.debug else ["-f"]
        self.process = subprocess.Popen(["freeradius", *flags, "-l", "stdout", "-d", str(self.raddb)],
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while not self.wait_for_log("Ready to process requests", since=since, timeout=0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"FreeRADIUS did not become ready\n{self.log_text()[since:]}")
        return self

    def set_users(self, users: dict) -> None:
        """Replaces the users file; a running server is restarted to read it (about 0.1 s)."""
        self.users = dict(users)
        running = self.process is not None and self.process.poll() is None
        self.stop()
        if running:
            self.start()
        else:
            self.write_files()

    # -- accounting ---------------------------------------------------------

    def accounting_records(self) -> list:
        """Every record in the detail files (all clients, all days), oldest file first."""
        records = []
        for path in sorted(self.detail_dir.glob("*/detail-*")):
            records += parse_detail(path.read_text(errors="replace"))
        return records

    def wait_for_accounting(self, timeout: float = 5, **match) -> dict:
        """The first record whose attributes equal `match` (keyword names with `_` for `-`:
        Acct_Status_Type="Stop", User_Name="alice"), or AssertionError after `timeout`."""
        wanted = {k.replace("_", "-"): str(v) for k, v in match.items()}
        deadline = time.monotonic() + timeout
        while True:
            for record in self.accounting_records():
                if all(record.get(k) == v for k, v in wanted.items()):
                    return record
            if time.monotonic() >= deadline:
                raise AssertionError(f"no accounting record with {wanted} within {timeout}s; "
                                     f"have {self.accounting_records()}")
            time.sleep(0.1)


def _set(conf: str, key: str, value: str) -> str:
    """Sets a top-level `key = value` line of radiusd.conf."""
    lines = conf.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.split("=")[0].strip() == key and not line[0].isspace():
            lines[i] = f"{key} = {value}\n"
            return "".join(lines)
    raise RuntimeError(f"radiusd.conf has no top-level {key} line")


def _replace_once(conf: str, old: str, new: str) -> str:
    if old not in conf:
        raise RuntimeError(f"radiusd.conf has no line {old.strip()!r}")
    return conf.replace(old, new, 1)


def radius_group(secret_file, *servers, timeout="1s", retries=1):
    """An [aaa-server-group] table for RADIUS servers on 127.0.0.1, given (auth-port, acct-port) pairs."""
    return {"protocol": "radius", "timeout": timeout, "retries": retries, "dead-time": "60s",
            "server": [{"host": "127.0.0.1", "auth-port": auth, "acct-port": acct, "secret-file": str(secret_file)}
                       for auth, acct in servers]}
