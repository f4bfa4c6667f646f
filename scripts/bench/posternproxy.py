"""postern as the bench runs it: the end-to-end suite's `Postern`, as root with its real roles
and seccomp, TLS 1.3 only, and no limit of its own below the load (simultaneous logins,
outstanding sessions)."""
import contextlib
import ctypes
import ctypes.util
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path

from harness.paths import binary
from harness.postern import Postern
from harness.procstatus import read_status

HASH_SCHEMES = ("sha512", "yescrypt")


class BenchPostern(Postern):
    """Writes the users file with the chosen crypt(3) scheme: sha512-crypt (5000 rounds, what
    the suite writes) or yescrypt (what `posternctl passwd` writes by default)."""

    def __init__(self, *args, scheme: str = "sha512", **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme

    def write_files(self) -> None:
        super().write_files()
        if self.scheme == "yescrypt":
            lines = [self._posternctl_line(user, password) for user, password in self.users.items()]
            (self.directory / "users").write_text("\n".join(lines) + "\n")   # keeps owner and mode

    @staticmethod
    def _posternctl_line(user: str, password: str) -> str:
        result = subprocess.run([str(binary("posternctl")), "passwd", user, "--scheme", "yescrypt"],
                                input=password + "\n", capture_output=True, text=True, check=True)
        return result.stdout.strip()


class PosternProxy:
    name = "postern"

    def __init__(self, directory: Path, pki, server: str, users: dict, scheme: str, relays: int):
        self.host = "127.0.0.1"
        self.daemon = BenchPostern(directory, pki, server, users=users, scheme=scheme, overrides={
            "tls": {"min-version": "1.3"},
            "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 1_000_000}},
            "imap4s": {"outstanding": 0, "outstanding-per-address": 0},
            "process": {"relay-processes": relays, "seccomp": "kill"},
        })
        self.port = self.daemon.port

    def start(self, timeout: float = 30) -> "PosternProxy":
        self.daemon.start()
        # listener-ready may come before every relay has said hello; wait for their starts.
        deadline = time.monotonic() + timeout
        while not (self.daemon.current_pids("authd") and self.daemon.current_pids("relay")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"postern did not start authd and a relay\n{self.daemon.log_tail()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.daemon.stop()

    @contextlib.contextmanager
    def default_preauth_limits(self):
        """The shipped `outstanding` and `outstanding-per-address` for the duration (the other
        figures lift them: their clients hold thousands of sessions from one address)."""
        lifted = dict(self.daemon.overrides["imap4s"])
        self._reload({k: v for k, v in lifted.items() if k not in ("outstanding", "outstanding-per-address")})
        try:
            yield
        finally:
            self._reload(lifted)

    def _reload(self, imap4s: dict) -> None:
        self.daemon.overrides["imap4s"] = imap4s
        self.daemon.write_files()
        mark = self.daemon.mark()
        os.kill(self.daemon.process.pid, signal.SIGHUP)
        self.daemon.wait_for("config-reloaded", since=mark, timeout=30)

    def processes(self) -> dict:
        """pid -> role for the supervisor and the latest start of every child."""
        roles = {self.daemon.process.pid: "supervisor"}
        for child in ("listener", "authd", "relay"):
            roles.update({pid: child for pid in self.daemon.current_pids(child).values()})
        return roles

    def describe_failure(self) -> str:
        return self.daemon.log_tail(40)

    def confinement(self) -> str:
        """Each role's user and seccomp mode as /proc shows them: the figures are those of
        the confined daemon."""
        seen = {}
        for pid, role in self.processes().items():
            status = read_status(pid)
            mode = {0: "no seccomp", 1: "seccomp strict", 2: "seccomp filter"}.get(status.seccomp, "?")
            seen.setdefault(role, f"{role} as {pwd.getpwuid(status.uids[1]).pw_name} ({mode})")
        return ", ".join(seen[r] for r in ("supervisor", "listener", "authd", "relay") if r in seen)


class DirectDovecot:
    """Dovecot's own IMAPS port: the reference for connect → greeting."""
    name = "direct"

    def __init__(self, dovecot):
        self.host = "127.0.0.1"
        self.port = dovecot.ports.imaps


def password_check_ms(proxy: PosternProxy, batches: int = 5, per_batch: int = 10):
    """What one crypt(3) check of the first user's hash costs here, in ms (libcrypt through
    ctypes, in this process): the part of authd's CPU per login that is the password hash.
    The best of a few batches, as other work on the machine inflates CPU time too. None
    when libcrypt cannot be loaded."""
    try:
        libcrypt = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    except OSError:
        return None
    libcrypt.crypt.restype = ctypes.c_char_p
    libcrypt.crypt.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    name, hash_ = (proxy.daemon.directory / "users").read_text().splitlines()[0].split(":")[:2]
    password = proxy.daemon.users[name].encode()
    best = float("inf")
    for _ in range(batches):
        started = time.process_time()
        for _ in range(per_batch):
            if libcrypt.crypt(password, hash_.encode()) != hash_.encode():
                return None
        best = min(best, (time.process_time() - started) / per_batch)
    return best * 1000
