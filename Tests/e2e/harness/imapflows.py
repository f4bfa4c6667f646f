"""Short client conversations the tests repeat, through Python's imaplib."""
import imaplib

from .tlslines import client_context


def imaplib_client(port: int, cafile, host: str = "127.0.0.1") -> imaplib.IMAP4_SSL:
    return imaplib.IMAP4_SSL(host, port, ssl_context=client_context(cafile), timeout=15)


def fetch_first_message(imap: imaplib.IMAP4_SSL) -> bytes:
    """SELECT INBOX and UID FETCH 1 BODY[]; returns the message bytes."""
    typ, _ = imap.select("INBOX")
    assert typ == "OK", f"SELECT INBOX: {typ}"
    typ, data = imap.uid("FETCH", "1", "(BODY[])")
    assert typ == "OK" and data and isinstance(data[0], tuple), f"UID FETCH 1: {typ} {data!r}"
    return data[0][1]
