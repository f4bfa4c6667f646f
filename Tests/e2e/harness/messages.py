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


def awkward_body(token: str) -> str:
    """A body that a careless relay would change: a line starting with "." (dot-stuffing), a
    line of dots, trailing spaces, a tab, a long line, an empty line; and the token."""
    return "\n".join([
        "Hello through postern.",
        ".a line that starts with a dot",
        "..",
        ".",
        "trailing spaces   ",
        "a\ttab",
        "x" * 900,
        "",
        token,
    ]) + "\n"


def body_of(message: bytes) -> bytes:
    """Everything after the header's empty line."""
    return message.split(b"\r\n\r\n", 1)[1]


def message_id(message: bytes) -> str:
    """The Message-ID without its angle brackets."""
    for line in message.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode()
    raise ValueError("no Message-ID header")
