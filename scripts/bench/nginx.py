"""nginx's mail proxy as the bench's reference (TESTBED.md §5): one instance proxies IMAPS to
Dovecot, a second one answers its auth_http requests. The responder is nginx too (a `map`
of user:password to Auth-Status), the cheapest responder there is, so that nginx's figures
are not inflated by a slow one; its CPU is counted with nginx's, as SPEC §9's was."""
import shutil
import subprocess
import time
from pathlib import Path

from harness.ports import free_port, wait_for_port

from .procs import children_of

MAIL_MODULE = Path("/usr/lib/nginx/modules/ngx_mail_module.so")

_MAIL = """\
load_module {module};
worker_processes auto;
worker_rlimit_nofile {descriptors};
pid {dir}/nginx.pid;
# info: one line per session, as postern's audit trail has.
error_log {dir}/error.log info;
events {{
    worker_connections {connections};
}}
mail {{
    server_name localhost;
    auth_http 127.0.0.1:{auth_port}/auth;
    ssl_certificate     {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.3;
    imap_auth plain login;
    server {{
        listen 127.0.0.1:{port} ssl;
        protocol imap;
    }}
}}
"""

_AUTH = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp-body;
    proxy_temp_path {dir}/tmp-proxy;
    fastcgi_temp_path {dir}/tmp-fastcgi;
    uwsgi_temp_path {dir}/tmp-uwsgi;
    scgi_temp_path {dir}/tmp-scgi;
    map "$http_auth_user:$http_auth_pass" $auth_status {{
        default "Invalid login or password";
{accounts}
    }}
    server {{
        listen 127.0.0.1:{port};
        location = /auth {{
            add_header Auth-Status $auth_status;
            add_header Auth-Server 127.0.0.1;
            add_header Auth-Port {mail_port};
            add_header Auth-Wait 1;
            return 200;
        }}
    }}
}}
"""


def available() -> bool:
    return shutil.which("nginx") is not None and MAIL_MODULE.exists()


def version() -> str:
    result = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
    return result.stderr.strip().removeprefix("nginx version: ")


class NginxInstance:
    def __init__(self, directory: Path, config: str, port: int):
        self.directory = directory
        self.config_text = config
        self.port = port
        self.config = directory / "nginx.conf"
        self.master = None

    def _nginx(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(["nginx", "-p", str(self.directory), "-e", str(self.directory / "error.log"),
                               "-c", str(self.config), *args], capture_output=True, text=True)

    def start(self, timeout: float = 10) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self.config_text)
        for step in (("-t",), ()):   # check, then start (the master daemonizes)
            result = self._nginx(*step)
            if result.returncode != 0:
                raise RuntimeError(f"nginx {' '.join(step)} failed for {self.config}:\n{result.stderr}")
        if not wait_for_port("127.0.0.1", self.port, timeout):
            raise RuntimeError(f"nginx did not listen on {self.port}\n{self.error_log()}")
        self.master = int((self.directory / "nginx.pid").read_text())

    def stop(self, timeout: float = 10) -> None:
        if self.master is None:
            return
        self._nginx("-s", "stop")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and Path(f"/proc/{self.master}").exists():
            time.sleep(0.05)
        if Path(f"/proc/{self.master}").exists():
            subprocess.run(["kill", "-KILL", str(self.master)])
        self.master = None

    def pids(self) -> list:
        return [self.master, *children_of(self.master)]

    def error_log(self) -> str:
        try:
            return (self.directory / "error.log").read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""


class NginxMailProxy:
    """nginx's IMAPS proxy in front of `mail_port`, with its auth_http responder."""
    name = "nginx"

    def __init__(self, directory: Path, pki, mail_port: int, users: dict, descriptors: int):
        self.host = "127.0.0.1"
        self.port = free_port()
        auth_port = free_port()
        accounts = "\n".join(f'        "{user}:{password}" OK;' for user, password in users.items())
        self.auth = NginxInstance(directory / "auth", _AUTH.format(
            dir=directory / "auth", accounts=accounts, port=auth_port, mail_port=mail_port), auth_port)
        self.mail = NginxInstance(directory / "mail", _MAIL.format(
            module=MAIL_MODULE, dir=directory / "mail", descriptors=descriptors,
            connections=descriptors - 100, auth_port=auth_port,
            cert=pki.server_cert, key=pki.server_key, port=self.port), self.port)

    def start(self) -> "NginxMailProxy":
        self.auth.start()
        self.mail.start()
        return self

    def stop(self) -> None:
        self.mail.stop()
        self.auth.stop()

    def processes(self) -> dict:
        """pid -> role, for the CPU and memory sums."""
        roles = {self.mail.master: "master"}
        roles.update({pid: "worker" for pid in children_of(self.mail.master)})
        roles.update({pid: "auth_http" for pid in self.auth.pids()})
        return roles

    def describe_failure(self) -> str:
        return self.mail.error_log()
