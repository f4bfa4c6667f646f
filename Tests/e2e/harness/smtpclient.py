"""A small raw SMTP client over implicit TLS (RFC 5321, RFC 4954 AUTH), for exact reply codes,
hostile input and sessions from a chosen source address; smtplib and swaks for the same
conversations as real clients hold them. Every one verifies the certificate."""
import base64
import secrets
import smtplib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .tlslines import ServerClosed, TlsLineConnection, client_context


def b64(data) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


@dataclass
class SmtpReply:
    code: int
    lines: list      # the text of each line, after the code and its separator

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def __str__(self) -> str:
        return "\n".join(f"{self.code} {line}" for line in self.lines)


def parse_reply(raw_lines: list) -> SmtpReply:
    """The reply whose lines (bytes, CRLF included) are `raw_lines`."""
    return SmtpReply(int(raw_lines[0][:3]), [line[4:].rstrip(b"\r\n").decode(errors="replace") for line in raw_lines])


class SmtpConnection(TlsLineConnection):
    def __init__(self, port: int, cafile, host: str = "127.0.0.1", source: str = None, timeout: float = 20,
                 certificate: tuple = None):
        super().__init__(port, cafile, host=host, source=source, timeout=timeout, certificate=certificate)
        self.greeting = self.reply()

    def reply(self, timeout: float = None) -> SmtpReply:
        """The next reply, all its lines (ServerClosed when the server closes first)."""
        raw = []
        while True:
            line = self.line(timeout) if timeout else self._read_line()
            raw.append(line)
            if line[3:4] != b"-":
                return parse_reply(raw)

    def command(self, text: str) -> SmtpReply:
        self.send(text.encode() + b"\r\n")
        return self.reply()

    def ehlo(self, name: str = "client.example.org") -> SmtpReply:
        return self.command(f"EHLO {name}")

    # -- AUTH ---------------------------------------------------------------

    def auth_plain(self, user: str, password: str, initial_response: bool = True) -> SmtpReply:
        message = b64(f"\0{user}\0{password}")
        if initial_response:
            return self.command(f"AUTH PLAIN {message}")
        reply = self.command("AUTH PLAIN")
        return self.command(message) if reply.code == 334 else reply

    def auth_login(self, user: str, password: str) -> SmtpReply:
        reply = self.command("AUTH LOGIN")
        for answer in (user, password):
            if reply.code != 334:
                return reply
            reply = self.command(b64(answer))
        return reply

    def begin_auth_login(self, user: str) -> None:
        """AUTH LOGIN with only the username sent: "authenticating" (SPEC §4)."""
        assert self.command("AUTH LOGIN").code == 334
        assert self.command(b64(user)).code == 334

    # -- mail ---------------------------------------------------------------

    def send_mail(self, sender: str, recipient: str, message: bytes) -> SmtpReply:
        """MAIL, RCPT, DATA and the message (dot-stuffed); the reply to the final ".", or the
        first refusal on the way."""
        for command, expected in ((f"MAIL FROM:<{sender}>", 250), (f"RCPT TO:<{recipient}>", 250), ("DATA", 354)):
            reply = self.command(command)
            if reply.code != expected:
                return reply
        self.send(dot_stuffed(message) + b".\r\n")
        return self.reply()

    def alive(self) -> bool:
        """True when the server still answers NOOP with 250."""
        try:
            return self.command("NOOP").code == 250
        except (ServerClosed, OSError):
            return False

    def quit(self) -> None:
        try:
            self.command("QUIT")
        except (ServerClosed, OSError):
            pass
        self.close()


def dot_stuffed(message: bytes) -> bytes:
    """RFC 5321 section 4.5.2: a line starting with "." gets one more; ends with CRLF."""
    lines = message.split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


def smtplib_client(port: int, cafile, host: str = "127.0.0.1") -> smtplib.SMTP_SSL:
    return smtplib.SMTP_SSL(host, port, context=client_context(cafile), timeout=15)


def swaks(port: int, cafile, sender: str, recipient: str, message: bytes, workdir: Path, *,
          auth: str = None, user: str = None, password: str = None, host: str = "127.0.0.1",
          timeout: float = 30) -> subprocess.CompletedProcess:
    """swaks over implicit TLS with the certificate verified; `auth` is a mechanism (PLAIN,
    LOGIN) or None for no AUTH; `message` is the whole of DATA (CRLF line ends)."""
    # swaks ends DATA with CRLF "." CRLF after the data, so a final CRLF of ours would be doubled.
    data = workdir / f"swaks-{secrets.token_hex(4)}.eml"
    data.write_bytes(message[:-2] if message.endswith(b"\r\n") else message)
    argv = ["swaks", "--server", host, "--port", str(port), "--tls-on-connect",
            "--tls-verify", "--tls-ca-path", str(cafile), "--from", sender, "--to", recipient,
            "--data", f"@{data}", "--timeout", str(int(timeout))]
    if auth:
        argv += ["--auth", auth, "--auth-user", user, "--auth-password", password]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 10, stdin=subprocess.DEVNULL)
