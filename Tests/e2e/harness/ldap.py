"""A private OpenLDAP slapd 2.5 on 127.0.0.1 (TESTBED.md §4): the directory behind postern's AAA.

Old-style slapd.conf (mdb, the memberof overlay so users carry memberOf, refint), TLS with
the session's test certificate: `ldap://` offers StartTLS, `ldaps://` is implicit TLS, each
on a free port. Base dc=example,dc=org:

- ou=people: every VPN user of accounts.py as uid=<name> (inetOrgPerson, {SSHA} password);
- ou=groups: groupOfNames; by default cn=engineering holds alice, cn=sales holds carol, and
  bob is in no group;
- cn=postern,dc=example,dc=org: the service account postern binds as to search
  (`service_dn`, `service_password`).

Only the service account (and each user, for its own entry) may read; anonymous clients may
only bind, so a search works only after the service account's bind (`anonymous_read=True`
lifts that). The data is loaded once with ldapadd as the rootdn; the mdb persists across
stop/start. slapd runs as root in the foreground (`-d stats`: one line per connection,
bind and search, no passwords), its output in slapd.log.
"""
import base64
import hashlib
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .accounts import vpn_users
from .certs import Pki
from .logfile import LogFile
from .ports import free_ports, wait_for_port
from .serverprocess import ServerProcess

BASE_DN = "dc=example,dc=org"
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"
SERVICE_DN = f"cn=postern,{BASE_DN}"
ROOT_DN = f"cn=admin,{BASE_DN}"


def user_dn(name: str) -> str:
    return f"uid={name},{PEOPLE_DN}"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS_DN}"


ENGINEERING_DN = group_dn("engineering")
DEFAULT_GROUPS = {"engineering": ["alice"], "sales": ["carol"]}


@dataclass(frozen=True)
class LdapPorts:
    ldap: int    # plain, with StartTLS
    ldaps: int   # implicit TLS


_CONFIG = """\
# Private slapd for postern's tests: loopback only, generated, never the system's.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile  {dir}/slapd.pid
argsfile {dir}/slapd.args
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
TLSCACertificateFile {ca}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload refint
database mdb
maxsize 104857600
suffix "{base}"
rootdn "{root_dn}"
rootpw {root_pw}
directory {dir}/db
index objectClass eq
index uid,member eq
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint true
overlay refint
refint_attributes member
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="{service_dn}" read
  by self read
{others}  by anonymous auth
  by * none
"""


def ssha(password: str) -> str:
    """The {SSHA} form slappasswd makes: base64(SHA-1(password + salt) + salt)."""
    salt = secrets.token_bytes(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def _attr(name: str, value: str) -> str:
    """One LDIF line; base64 (`::`) when the value is not safe as is."""
    if value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<")) and not value.endswith(" "):
        return f"{name}: {value}\n"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}\n"


def data_ldif(people: dict, groups: dict, service_password: str) -> str:
    parts = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: postern e2e\n",
        f"dn: {PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: postern\n"
        + _attr("userPassword", ssha(service_password)),
    ]
    for name, password in people.items():
        parts.append(f"dn: {user_dn(name)}\nobjectClass: inetOrgPerson\n" + _attr("uid", name)
                     + _attr("cn", name) + _attr("sn", name) + _attr("mail", name if "@" in name else f"{name}@example.org")
                     + _attr("userPassword", ssha(password)))
    for name, members in groups.items():
        if not members:
            raise ValueError(f"groupOfNames {name} needs at least one member")
        parts.append(f"dn: {group_dn(name)}\nobjectClass: groupOfNames\ncn: {name}\n"
                     + "".join(_attr("member", user_dn(m)) for m in members))
    return "\n".join(parts)


class Ldap(LogFile, ServerProcess):
    base_dn = BASE_DN
    service_dn = SERVICE_DN

    def __init__(self, directory: Path, pki: Pki, people: dict = None, groups: dict = None,
                 ports: LdapPorts = None, anonymous_read: bool = False):
        """people: uid -> password (default accounts.vpn_users()); groups: cn -> member uids."""
        self.directory = directory
        self.pki = pki
        self.people = dict(people if people is not None else vpn_users())
        self.groups = {k: list(v) for k, v in (groups if groups is not None else DEFAULT_GROUPS).items()}
        self.ports = ports or LdapPorts(*free_ports(2))
        self.anonymous_read = anonymous_read
        self.service_password = secrets.token_hex(12)
        self.root_password = secrets.token_hex(12)
        self.config = directory / "slapd.conf"
        self.log_path = directory / "slapd.log"
        self.process = None
        self.loaded = False

    @property
    def ldap_url(self) -> str:
        return f"ldap://127.0.0.1:{self.ports.ldap}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.ports.ldaps}"

    def client_env(self) -> dict:
        """Environment for the ldap-utils clients: trust the test CA only, and verify."""
        return {**os.environ, "LDAPTLS_CACERT": str(self.pki.ca_cert), "LDAPTLS_REQCERT": "demand"}

    # -- files --------------------------------------------------------------

    def write_files(self) -> None:
        (self.directory / "db").mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)   # rootpw and the mdb live here; slapd runs as root
        self.config.write_text(_CONFIG.format(
            dir=self.directory, cert=self.pki.server_cert, key=self.pki.server_key, ca=self.pki.ca_cert,
            base=BASE_DN, root_dn=ROOT_DN, root_pw=self.root_password, service_dn=SERVICE_DN,
            others="  by * read\n" if self.anonymous_read else ""))

    # -- life cycle ---------------------------------------------------------

    def start(self, timeout: float = 10) -> "Ldap":
        if os.geteuid() != 0:
            raise RuntimeError("the test slapd needs root (it reads the test server key)")
        self.write_files()
        check = subprocess.run(["slaptest", "-u", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"slaptest rejected {self.config}:\n{check.stdout}{check.stderr}")
        out = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["slapd", "-d", "stats", "-f", str(self.config), "-h", f"{self.ldap_url}/ {self.ldaps_url}/"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        for port in (self.ports.ldap, self.ports.ldaps):
            if not wait_for_port("127.0.0.1", port, timeout):
                self.stop()
                raise RuntimeError(f"slapd did not listen on 127.0.0.1:{port}\n{self.log_text()}")
        if not self.loaded:
            self.ldapadd(data_ldif(self.people, self.groups, self.service_password))
            self.loaded = True
        return self

    # -- data ---------------------------------------------------------------

    def ldapadd(self, ldif: str) -> None:
        """Adds entries as the rootdn (password through a file, not the command line)."""
        self._as_root(["ldapadd"], ldif)

    def ldapmodify(self, ldif: str) -> None:
        self._as_root(["ldapmodify"], ldif)

    def _as_root(self, command: list, ldif: str) -> None:
        pwfile = self.directory / "rootpw"
        pwfile.write_text(self.root_password)
        os.chmod(pwfile, 0o600)
        result = subprocess.run([*command, "-x", "-H", self.ldap_url, "-D", ROOT_DN, "-y", str(pwfile)],
                                input=ldif, capture_output=True, text=True, env=self.client_env())
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")

    def add_to_group(self, group: str, member: str) -> None:
        self.ldapmodify(f"dn: {group_dn(group)}\nchangetype: modify\nadd: member\nmember: {user_dn(member)}\n")
        self.groups.setdefault(group, []).append(member)


def ldap_server(ldap, pki, password_file, url=None) -> dict:
    """One [[aaa-server-group.X.server]] entry for the test slapd: the service account searches
    `(uid=%u)`, verified against the test CA."""
    return {"url": url or ldap.ldap_url, "base-dn": ldap.base_dn, "bind-dn": ldap.service_dn,
            "bind-password-file": str(password_file), "user-filter": "(uid=%u)", "ca-file": str(pki.ca_cert)}


def ldap_group(*servers, timeout="1s", retries=0) -> dict:
    """An LDAP server group whose group-map names Engineering for the engineering group."""
    return {"protocol": "ldap", "timeout": timeout, "retries": retries, "dead-time": "60s",
            "server": list(servers), "group-map": {ENGINEERING_DN: "Engineering"}}
