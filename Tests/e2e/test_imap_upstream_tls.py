"""upstream-tls (SPEC §2): the relay speaks TLS to the mail host, implicit or by STARTTLS,
verified against upstream-ca; a CA that did not sign the mail host's certificate fails."""
import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection


def upstream(dovecot, mode: str) -> str:
    port = dovecot.ports.imaps if mode == "implicit" else dovecot.ports.imap
    return f"127.0.0.1:{port}"


@pytest.mark.parametrize("mode", ["implicit", "starttls"])
def test_upstream_tls_verified_by_the_test_ca(start_postern, dovecot, pki, mode):
    postern = start_postern(server=upstream(dovecot, mode), allowed_servers=[],
                            overrides={"imap4s": {"upstream-tls": mode, "upstream-ca": str(pki.ca_cert)}})
    offset = dovecot.log_offset()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("carol", MAIL_USERS["carol"]).ok
        assert dovecot.tokens["carol"].encode() in conn.first_message()
    line = dovecot.wait_for_log("Login: user=<carol>", since=offset)
    # Dovecot marks a TLS login "TLS"; a plaintext loopback one "secured".
    assert line is not None and ", TLS" in line, line


@pytest.mark.parametrize("mode", ["implicit", "starttls"])
def test_upstream_tls_with_a_foreign_ca_refuses_the_login(start_postern, dovecot, pki, mode):
    postern = start_postern(server=upstream(dovecot, mode), allowed_servers=[],
                            overrides={"imap4s": {"upstream-tls": mode, "upstream-ca": str(pki.other_ca_cert)}})
    offset = dovecot.log_offset()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("carol", MAIL_USERS["carol"]).status == "NO"
    assert dovecot.wait_for_log("Login: user=<carol>", since=offset, timeout=1) is None
