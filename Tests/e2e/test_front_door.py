"""What a TLS client must say before the first protocol byte (SPEC §4, §2 `server-names`):
ALPN, when offered, must name the port's own protocol (ALPACA: a TLS session meant for a web
server is no use against a mail port); SNI, when sent and `server-names` is set, must be one
of those names. Checked with openssl s_client against all three ports."""
import select
import subprocess
import time

import pytest

from harness import tomlwriter
from harness.mailproxies import pop3s, smtps

ALPN_ID = {"imap4s": "imap", "pop3s": "pop3", "smtps": "smtp"}
GREETING = {"imap4s": b"* OK", "pop3s": b"+OK", "smtps": b"220 "}
NO_APPLICATION_PROTOCOL = "alert number 120"
UNRECOGNIZED_NAME = "alert number 112"


def s_client(postern, pki, proto: str, *, alpn: str = None, servername: str = None, timeout: float = 15):
    """(served, output): served when the protocol's greeting arrived over the handshake."""
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{postern.port_of(proto)}", "-CAfile", str(pki.ca_cert)]
    argv += ["-alpn", alpn] if alpn else []
    argv += ["-servername", servername] if servername else ["-noservername"]
    client = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = b""
    served = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([client.stdout], [], [], 0.2)
            if not ready:
                continue
            chunk = client.stdout.read1(65536)
            if not chunk:
                break
            output += chunk
            if any(line.startswith(GREETING[proto]) for line in output.splitlines()):
                served = True
                break
    finally:
        client.kill()
        client.wait()
    return served, output.decode(errors="replace")


@pytest.fixture
def three_ports(start_postern, dovecot, postfix):
    return start_postern(overrides={**pop3s(dovecot), **smtps(postfix)})


@pytest.mark.parametrize("proto", ["imap4s", "pop3s", "smtps"])
def test_a_client_offering_only_http_is_refused_with_no_application_protocol(three_ports, pki, proto):
    mark = three_ports.mark()
    served, output = s_client(three_ports, pki, proto, alpn="http/1.1")
    assert not served and NO_APPLICATION_PROTOCOL in output, output
    failed = three_ports.wait_for("tls-failed", since=mark)
    assert "no application protocol" in failed["error"], failed


@pytest.mark.parametrize("proto", ["imap4s", "pop3s", "smtps"])
def test_another_mail_protocols_alpn_id_is_refused(three_ports, pki, proto):
    other = {"imap4s": "smtp", "pop3s": "imap", "smtps": "pop3"}[proto]
    served, output = s_client(three_ports, pki, proto, alpn=other)
    assert not served and NO_APPLICATION_PROTOCOL in output, output


@pytest.mark.parametrize("proto", ["imap4s", "pop3s", "smtps"])
def test_a_client_offering_the_ports_own_alpn_id_is_served(three_ports, pki, proto):
    served, output = s_client(three_ports, pki, proto, alpn=f"http/1.1,{ALPN_ID[proto]}")
    assert served, output
    assert f"ALPN protocol: {ALPN_ID[proto]}" in output, output


@pytest.mark.parametrize("proto", ["imap4s", "pop3s", "smtps"])
def test_a_client_offering_no_alpn_is_served(three_ports, pki, proto):
    served, output = s_client(three_ports, pki, proto)
    assert served, output
    assert "No ALPN negotiated" in output, output


@pytest.fixture
def named_ports(start_postern, dovecot, postfix):
    names = {"server-names": ["mail.example.test", "Localhost"]}
    return start_postern(overrides={"imap4s": names, **pop3s(dovecot, server_names=["mail.example.test"]),
                                    **smtps(postfix)})


@pytest.mark.parametrize("proto", ["imap4s", "pop3s"])
def test_an_sni_outside_server_names_is_refused_with_unrecognized_name(named_ports, pki, proto):
    mark = named_ports.mark()
    served, output = s_client(named_ports, pki, proto, servername="www.example.test")
    assert not served and UNRECOGNIZED_NAME in output, output
    failed = named_ports.wait_for("tls-failed", since=mark)
    assert "server name www.example.test is not in server-names" in failed["error"], failed


def test_an_sni_in_server_names_is_served_whatever_its_case(named_ports, pki):
    for name in ("mail.example.test", "LOCALHOST"):
        served, output = s_client(named_ports, pki, "imap4s", servername=name, alpn="imap")
        assert served, output


@pytest.mark.parametrize("proto", ["imap4s", "pop3s"])
def test_no_sni_is_served_when_server_names_are_set(named_ports, pki, proto):
    served, output = s_client(named_ports, pki, proto)
    assert served, output


def test_without_server_names_any_sni_is_served(named_ports, pki):
    served, output = s_client(named_ports, pki, "smtps", servername="www.example.test")
    assert served, output


def test_check_config_refuses_a_server_name_that_is_not_a_host_name(postern):
    bad = postern.directory / "bad.toml"
    bad.write_text(tomlwriter.dumps(tomlwriter.merged(postern.config(), {"imap4s": {"server-names": ["*.example.test"]}})))
    result = postern.check_config(bad)
    assert result.returncode == 1, result
    assert "server-names" in result.stdout + result.stderr, result
