"""The postern daemon under test: its files, its process tree and its log.

One instance owns one directory holding its configuration, a copy of the TLS certificate
and key, the local users file and the log. Started as root, the roles switch to their own
users; started as another user (`run_as`, through setpriv), every role runs as that user
and every file the daemon reads belongs to it.
"""
import grp
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from . import tomlwriter
from .certs import Pki
from .localusers import write_users_file
from .paths import binary
from .ports import free_port
from .posternlog import PosternError, PosternLog
from .procstatus import is_gone


class Postern(PosternLog):
    def __init__(self, directory: Path, pki: Pki, server: str, *, allowed_servers=(),
                 run_as: str = None, users: dict = None, policies: dict = None,
                 overrides: dict = None, port: int = None, environment: dict = None, launcher: list = None):
        self.directory = directory
        # Words put before the command line (after setpriv, if any), which must exec postern in
        # place (its pid is the supervisor's): e.g. unshare with a /proc mounted otherwise.
        self.launcher = list(launcher or [])
        self.pki = pki
        self.server = server
        self.allowed_servers = list(allowed_servers)
        self.run_as = run_as
        self.users = dict(users or {})
        self.policies = dict(policies or {})
        self.overrides = dict(overrides or {})
        self.port = port or free_port()
        self.environment = dict(environment or {})
        self.config_path = directory / "postern.toml"
        super().__init__(directory / "postern.log")
        self.process = None

    # -- configuration ------------------------------------------------------

    def config(self) -> dict:
        d = self.directory
        base = {
            "tls": {"certificate": str(d / "server.pem"), "private-key": str(d / "server.key")},
            "interface": [{"name": "outside", "addresses": ["127.0.0.1"]}],
            "aaa-server-group": {"LOCAL": {"protocol": "local", "users-file": str(d / "users")}},
            "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 3}},
            "imap4s": {
                "enable": ["outside"],
                "port": self.port,
                "server": self.server,
                "allowed-servers": self.allowed_servers,
                "upstream-tls": "none",
                "authentication": ["aaa"],
                "authentication-server-group": "LOCAL",
                "default-group-policy": "DfltGrpPolicy",
                "outstanding": 20,
            },
            # POSTERN_E2E_SECCOMP=log runs the suite with violations logged instead of killing,
            # to find a call a policy lacks (the log keeps with POSTERN_E2E_KEEP=1).
            "process": {"relay-processes": 2, "seccomp": os.environ.get("POSTERN_E2E_SECCOMP", "kill")},
            "limits": {"handshake-timeout": "10s", "preauth-idle-timeout": "60s",
                       "authentication-timeout": "30s"},
            # Never the system's /run/postern: tests run side by side and as plain users.
            "admin": {"socket": str(d / "admin.sock")},
        }
        return tomlwriter.merged(base, self.overrides)

    def port_of(self, protocol: str) -> int:
        """The listening port of "imap4s" (`port`), "pop3s" or "smtps" (from the overrides)."""
        return self.port if protocol == "imap4s" else self.config()[protocol]["port"]

    def write_files(self) -> None:
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.pki.server_cert, d / "server.pem")
        shutil.copyfile(self.pki.server_key, d / "server.key")
        write_users_file(d / "users", self.users, self.policies)
        self.config_path.write_text(tomlwriter.dumps(self.config()))
        self._set_ownership()

    def _set_ownership(self) -> None:
        d = self.directory
        if self.run_as is None:
            # Root: only the supervisor reads the key; authd (postern-auth) reads the users file.
            os.chmod(d, 0o755)
            for name, mode in (("postern.toml", 0o644), ("server.pem", 0o644), ("server.key", 0o600)):
                os.chmod(d / name, mode)
            auth_gid = grp.getgrnam("postern-auth").gr_gid if os.geteuid() == 0 else os.getgid()
            os.chown(d / "users", os.geteuid(), auth_gid)
            os.chmod(d / "users", 0o640)
            return
        # Another user: it owns everything it reads. The log file stays ours; the daemon
        # writes to the descriptor it is given.
        account = pwd.getpwnam(self.run_as)
        os.chown(d, account.pw_uid, account.pw_gid)
        os.chmod(d, 0o755)
        for name in ("postern.toml", "server.pem", "server.key", "users"):
            os.chown(d / name, account.pw_uid, account.pw_gid)
            os.chmod(d / name, 0o600)

    def _as_user(self, argv: list) -> list:
        argv = [*self.launcher, *argv]
        if self.run_as is None:
            return argv
        group = grp.getgrgid(pwd.getpwnam(self.run_as).pw_gid).gr_name
        return ["setpriv", f"--reuid={self.run_as}", f"--regid={group}", "--clear-groups", "--", *argv]

    def check_config(self, config_path: Path = None) -> subprocess.CompletedProcess:
        argv = [str(binary("postern")), "check-config", "--config", str(config_path or self.config_path)]
        return subprocess.run(self._as_user(argv), capture_output=True, text=True, timeout=60)

    # -- life cycle ---------------------------------------------------------

    def start(self, timeout: float = 30) -> "Postern":
        """Starts postern in the foreground mode and waits for event=listener-ready."""
        exe = binary("postern")
        if not os.access(exe, os.X_OK):
            raise PosternError(f"{exe} is missing: build first (swift build) or set POSTERN_BIN_DIR")
        self.write_files()
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self._as_user([str(exe), "--config", str(self.config_path), "--foreground"]),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            # Debug builds honour the test hooks (SIGUSR2: attempt a forbidden system call).
            env=dict(os.environ, POSTERN_TEST_HOOKS="1", **self.environment))
        log.close()
        deadline = time.monotonic() + timeout
        while "event=listener-ready" not in self.log_text():
            if self.process.poll() is not None:
                raise PosternError(f"postern exited with status {self.process.returncode} "
                                   f"before event=listener-ready\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise PosternError(f"no event=listener-ready within {timeout}s\n{self.log_tail()}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the supervisor; asserts that it and every child it started have exited."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise PosternError(f"supervisor ignored SIGTERM for {timeout}s\n{self.log_tail()}")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(is_gone(p) for p in self.all_child_pids()):
            time.sleep(0.05)
        left = [p for p in self.all_child_pids() if not is_gone(p)]
        if left:
            self.kill()
            raise PosternError(f"children still running after the supervisor exited: {left}\n{self.log_tail()}")

    def kill(self) -> None:
        """Last resort: SIGKILL the supervisor and each child it reported starting."""
        for pid in self.all_child_pids():
            if not is_gone(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
