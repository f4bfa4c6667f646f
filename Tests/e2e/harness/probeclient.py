"""An IMAP client that sends what it is told, byte for byte, and reads the server's answer
line by line with a deadline: for hostile input, where ImapConnection.command() would
expect a well-behaved dialogue. The line-level calls (line, lines, send_quietly,
replies_until_closed) come from TlsLineConnection, which the POP3 and SMTP clients share."""
from .imapclient import ImapConnection


class ProbeConnection(ImapConnection):
    pass
