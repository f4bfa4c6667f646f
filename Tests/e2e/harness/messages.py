"""Test messages with a body token the tests can FETCH back and recognise."""
import secrets
from email.utils import formatdate


def body_token(user: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in user)
    return f"postern-e2e-{safe}-{secrets.token_hex(6)}"


def make_message(to: str, subject: str, body: str) -> bytes:
    lines = [
        "From: postern e2e <e2e@localhost>",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {formatdate(localtime=True)}",
        f"Message-ID: <{secrets.token_hex(8)}@postern.e2e>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        *body.splitlines(),
        "",
    ]
    return "\r\n".join(lines).encode("ascii")
