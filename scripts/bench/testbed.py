"""Everything a bench run measures, started in order and stopped in reverse: the PKI (an
ECDSA P-256 server certificate, as SPEC §9 says), the tuned Dovecot with the accounts and
the large message, postern and, when it is installed and starts, nginx."""
import resource
import sys
from pathlib import Path

from harness.certs import make_pki

from . import nginx
from .mailhost import BenchDovecot, accounts, bulk_account
from .posternproxy import DirectDovecot, PosternProxy


def progress(text: str, who: str = "bench") -> None:
    print(f"{who}: {text}", file=sys.stderr, flush=True)


class Testbed:
    def __init__(self, directory: Path, *, users: int, sessions: int, message_mib: int,
                 scheme: str, relays: int, want_nginx: bool):
        self.directory = directory
        self.pki = make_pki(directory / "pki")
        self.users = accounts(users)
        self.bulk_user, self.bulk_password = bulk_account()
        everyone = {**self.users, self.bulk_user: self.bulk_password}
        self.dovecot = BenchDovecot(directory / "dovecot", self.pki, everyone, addresses=("127.0.0.1",),
                                    imap_clients=max(200, sessions // 40))
        self.postern = PosternProxy(directory / "postern", self.pki, f"127.0.0.1:{self.dovecot.ports.imap}",
                                    everyone, scheme, relays)
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.nginx = (nginx.NginxMailProxy(directory / "nginx", self.pki, self.dovecot.ports.imap, everyone,
                                           descriptors=soft) if want_nginx else None)
        self.nginx_problem = None if want_nginx else "not asked for"
        self.message_mib = message_mib
        self.message_size = 0
        self.started = []

    @property
    def cafile(self) -> Path:
        return self.pki.ca_cert

    @property
    def proxies(self) -> list:
        return [p for p in (self.postern, self.nginx) if p is not None and p in self.started]

    @property
    def direct(self) -> DirectDovecot:
        return DirectDovecot(self.dovecot)

    def __enter__(self) -> "Testbed":
        try:
            progress("starting Dovecot")
            self.dovecot.start()
            self.started.append(self.dovecot)
            if self.message_mib:
                self.message_size = self.dovecot.deliver_bulk(self.bulk_user, self.message_mib << 20)
            progress("starting postern")
            self.postern.start()
            self.started.append(self.postern)
            if self.nginx is not None:
                self._start_nginx()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_nginx(self) -> None:
        """A failure here costs only the comparison: the table then quotes SPEC's figures."""
        progress("starting nginx")
        try:
            self.nginx.start()
            self.started.append(self.nginx)
        except (RuntimeError, OSError) as e:
            self.nginx_problem = f"it did not start: {e}"
            progress(f"nginx {self.nginx_problem}")
            self.nginx.stop()

    def __exit__(self, *exc) -> None:
        for server in reversed(self.started):
            try:
                server.stop()
            except Exception as e:   # go on to stop the others whatever one did
                progress(f"stopping {type(server).__name__}: {e}")
        self.started.clear()
