"""The demo behind scripts/demo.sh: Dovecot with one user and a welcome message, postern in
front of it on 127.0.0.1, both left running in the background under RUN_DIR.

    python3 -m harness.demo start RUN_DIR
    python3 -m harness.demo stop RUN_DIR
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .certs import make_pki
from .dovecot import Dovecot, DovecotPorts
from .messages import make_message
from .paths import REPO
from .ports import free_port, free_ports
from .postern import Postern
from .posternlog import PosternError, PosternLog
from .procstatus import is_gone

USER, PASSWORD = "demo", "demo-pass"
# Unprivileged ports, so nothing needs binding as root; another free one if taken.
PREFERRED_PROXY_PORT, PREFERRED_MAIL_PORT = 19993, 10143

WELCOME = """\
Welcome to postern.

This message sits in Dovecot's mailbox of user "demo". You read it through postern:
TLS ended at postern's listener, the login checked by authd against demo-run/postern/users,
and the bytes carried to Dovecot by a relay process, each as its own user.
"""


def _port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            return free_port()


def _reachable_by(user: str, path: Path) -> bool:
    return subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                           "test", "-x", str(path)]).returncode == 0


def _ours(pid: int, marker: str) -> bool:
    """Guards against a recycled pid: the command line must contain `marker`."""
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False


def _terminate(pid: int, timeout: float = 15) -> bool:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_gone(pid):
            return True
        time.sleep(0.1)
    return False


def stop(run_dir: Path) -> int:
    status = 0
    postern_log = run_dir / "postern" / "postern.log"
    for name in ("postern", "dovecot"):
        pid_file = run_dir / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        if _ours(pid, str(run_dir)) and not _terminate(pid):
            print(f"{name} (pid {pid}) did not stop after SIGTERM", file=sys.stderr)
            status = 2
        pid_file.unlink()
        if name == "postern" and postern_log.exists():
            time.sleep(0.5)
            left = [p for p in PosternLog(postern_log).all_child_pids() if not is_gone(p) and _ours(p, "postern")]
            if left:
                print(f"postern children still running: {left}", file=sys.stderr)
                status = 2
    return status


def start(run_dir: Path) -> int:
    if os.geteuid() != 0:
        print("the demo needs root (Dovecot's mail user, postern's role users)", file=sys.stderr)
        return 1
    stop(run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    os.chmod(run_dir, 0o755)
    if not _reachable_by("postern-auth", run_dir):
        print(f"user postern-auth cannot reach {run_dir} (a parent directory is closed to others);"
              " run the demo from a checkout under a world-searchable path such as /srv or /opt",
              file=sys.stderr)
        return 1

    pki = make_pki(run_dir / "pki")
    mail_port = _port(PREFERRED_MAIL_PORT)
    others = [p for p in free_ports(4) if p != mail_port][:3]
    dovecot = Dovecot(run_dir / "dovecot", pki, {USER: PASSWORD}, addresses=("127.0.0.1",),
                      ports=DovecotPorts(mail_port, *others))
    dovecot.start()
    (run_dir / "dovecot.pid").write_text(f"{dovecot.process.pid}\n")
    dovecot.deliver(USER, make_message(USER, "Welcome to postern", WELCOME))

    postern = Postern(run_dir / "postern", pki, f"127.0.0.1:{mail_port}",
                      users={USER: PASSWORD}, port=_port(PREFERRED_PROXY_PORT))
    try:
        postern.start()
    except PosternError as e:
        print(e, file=sys.stderr)
        stop(run_dir)
        return 2
    (run_dir / "postern.pid").write_text(f"{postern.process.pid}\n")

    rel = lambda p: os.path.relpath(p, REPO) if str(p).startswith(str(REPO)) else str(p)
    print(f"""postern is running in front of Dovecot (demo user "{USER}", password "{PASSWORD}").

Read the welcome message through postern:
  curl --cacert {pki.ca_cert} 'imaps://127.0.0.1:{postern.port}/INBOX;UID=1' -u {USER}:{PASSWORD}

Logs:  {rel(postern.log_path)}   {rel(dovecot.log_path)}
Stop:  scripts/demo.sh stop""")
    return 0


def main(argv) -> int:
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 1
    run_dir = Path(argv[2]).resolve()
    return start(run_dir) if argv[1] == "start" else stop(run_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
