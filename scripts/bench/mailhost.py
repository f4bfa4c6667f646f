"""The mail host behind every proxy in the bench: the end-to-end suite's Dovecot, with its
limits raised so that thousands of sessions from one proxy address are Dovecot's routine
work rather than its bottleneck, and the accounts the load cycles through."""
import secrets

from harness.dovecot import Dovecot

# Dovecot in "high-performance" mode: login and imap processes serve many clients each
# instead of one process per connection, and no per-user/address cap below the bench's.
_LIMITS = """
# --- scripts/bench: limits raised for thousands of sessions from the proxy's one address
default_process_limit = 1000
default_client_limit = 20000
protocol imap {{
  mail_max_userip_connections = 100000
}}
service imap-login {{
  service_count = 0
  process_min_avail = 2
  client_limit = 10000
}}
service imap {{
  service_count = 0
  client_limit = {imap_clients}
  process_limit = 200
}}
"""

BULK_USER = "bulk"


def bulk_account() -> tuple:
    """(user, password) of the account that holds the large message."""
    return BULK_USER, f"bulk-{secrets.token_hex(6)}"


def accounts(count: int) -> dict:
    """`count` mail users, the same name and password on the proxy's side (SPEC §3)."""
    return {f"bench{i:02d}": f"bench-{i:02d}-{secrets.token_hex(6)}" for i in range(count)}


class BenchDovecot(Dovecot):
    def __init__(self, *args, imap_clients: int = 200, **kwargs):
        super().__init__(*args, **kwargs)
        self.imap_clients = imap_clients

    def write_files(self) -> None:
        super().write_files()
        with open(self.config, "a") as config:
            config.write(_LIMITS.format(imap_clients=self.imap_clients))

    def deliver_bulk(self, user: str, size: int) -> int:
        """A message of about `size` bytes of text into `user`'s INBOX; returns its size."""
        line = b"x" * 76
        header = (f"From: bench <bench@localhost>\r\nTo: {user}\r\nSubject: bulk\r\n"
                  f"Message-ID: <{secrets.token_hex(8)}@postern.bench>\r\n\r\n").encode()
        lines = max(1, (size - len(header)) // (len(line) + 2))
        body = b"".join(b"%08d" % i + line[8:] + b"\r\n" for i in range(lines))
        message = header + body
        self.deliver(user, message)
        return len(message)
