"""Certificate authentication (SPEC §3): the VPN user is the client certificate's mapped name,
on IMAP4S, POP3S and SMTPS, with real clients (Python's, curl, openssl s_client)."""
import smtplib
import socket
import ssl
import subprocess

import pytest

from harness import tomlwriter
from harness.accounts import MAIL_USERS, vpn_users
from harness.clientpki import ClientPki
from harness.imapclient import ImapConnection
from harness.ldap import ldap_group, ldap_server
from harness.mailproxies import pop3s, smtps
from harness.postern import Postern
from harness.postfix import DOMAIN
from harness.radius import RadiusUser, radius_group, radius_users
from harness.secretfiles import write_secret
from harness.posternctl import posternctl
from harness.tlslines import client_context

PLAIN_NAME = "plain user Mail"      # CN, then OU: the default authorization-dn-attributes


@pytest.fixture(scope="module")
def client_pki(tmp_path_factory):
    return ClientPki(tmp_path_factory.mktemp("client-pki"))


def certificate_only(client_pki, **imap_keys) -> dict:
    return {"tls": client_pki.tls(), "imap4s": {"authentication": ["certificate"], **imap_keys}}


def imap_login(postern, pki, certificate, user="bob", password=None, source=None):
    """(reply, session id) of a LOGIN presenting `certificate` (a ClientPki name or None)."""
    chain = postern.client_pki.certificate(certificate) if certificate else None
    with ImapConnection(postern.port, pki.ca_cert, certificate=chain, source=source) as conn:
        reply = conn.login(user, password or MAIL_USERS["bob"])
        return reply, postern.session_of_client(conn.local_port)


@pytest.fixture
def cert_postern(start_postern, client_pki):
    def start(users: dict = None, policies: dict = None, **overrides) -> Postern:
        postern = start_postern(overrides=overrides, users=vpn_users(**(users or {})), policies=policies)
        postern.client_pki = client_pki
        return postern
    return start


def test_imap_pop3_and_smtp_with_the_certificate_alone(cert_postern, client_pki, dovecot, postfix, pki):
    postern = cert_postern(**certificate_only(client_pki),
                           **pop3s(dovecot, authentication=["certificate"]),
                           **smtps(postfix, authentication=["certificate", "mailhost"]))
    # IMAP with Python's client: the mail user and password only; the VPN user is the mapped name.
    chain = client_pki.certificate("plain")
    with ImapConnection(postern.port, pki.ca_cert, certificate=chain) as conn:
        assert conn.login("bob", MAIL_USERS["bob"]).ok
        session = postern.session_of_client(conn.local_port)
        established = postern.wait_for("tls-established", session=session)
        assert established["client-subject"] == "CN=plain user,OU=Mail", established
        assert established["client-issuer"] == "CN=postern test client intermediate,O=postern tests", established
        assert established["client-serial"], established
        result = postern.wait_for("auth-result", session=session, method="certificate")
        assert result["vpn-user"] == PLAIN_NAME, result
        listed = posternctl(postern, "sessions", json_output=True).json["sessions"]
        mine = [s for s in listed if s["id"] == session]
        assert mine and mine[0]["vpnUser"] == PLAIN_NAME and mine[0]["clientSubject"] == "CN=plain user,OU=Mail", listed
    # POP3 with curl.
    pop3_port = postern.port_of("pop3s")
    listing = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", str(pki.ca_cert),
                              "--cert", str(chain[0]), "--key", str(chain[1]),
                              "-u", f"bob:{MAIL_USERS['bob']}", f"pop3s://127.0.0.1:{pop3_port}/"],
                             capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert postern.find("auth-result", method="certificate", **{"vpn-user": PLAIN_NAME}).__len__() >= 2
    # SMTP with Python's smtplib: the message reaches Dovecot through Postfix.
    context = client_context(pki.ca_cert, chain)
    with smtplib.SMTP_SSL("127.0.0.1", postern.port_of("smtps"), context=context, timeout=20) as smtp:
        smtp.login("bob", MAIL_USERS["bob"])
        smtp.sendmail(f"bob@{DOMAIN}", [f"alice@{DOMAIN}"],
                      f"From: bob@{DOMAIN}\r\nTo: alice@{DOMAIN}\r\nSubject: cert\r\n\r\ncertificate-smtp-token\r\n")
    dovecot.wait_for_message("alice", b"certificate-smtp-token")


@pytest.mark.parametrize("certificate, reason", [
    (None, "no client certificate"),
    ("revoked", "client certificate revoked"),
    ("expired", "client certificate expired"),
    ("otherca", "client certificate not trusted: unable to get local issuer certificate"),
    ("nocn", "client certificate subject lacks CN, the first of authorization-dn-attributes"),
])
def test_a_certificate_that_does_not_verify_or_map_is_refused_with_its_reason(cert_postern, client_pki, pki,
                                                                            certificate, reason):
    postern = cert_postern(**certificate_only(client_pki))
    reply, session = imap_login(postern, pki, certificate)
    assert reply.status == "NO" and "AUTHENTICATIONFAILED" in reply.text, reply
    result = postern.wait_for("auth-result", session=session)
    assert result["result"] == "failure" and result["reason"] == reason, result


def test_a_protocol_without_certificate_never_asks_for_one(cert_postern, client_pki, dovecot, pki):
    postern = cert_postern(**certificate_only(client_pki), **pop3s(dovecot))

    def handshake(port) -> str:
        done = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(pki.ca_cert),
                               "-msg", "-quiet", "-no_ign_eof"], input="", capture_output=True, text=True, timeout=20)
        return done.stdout + done.stderr
    assert "CertificateRequest" in handshake(postern.port), "imap4s lists certificate: it asks"
    assert "CertificateRequest" not in handshake(postern.port_of("pop3s"))


def test_certificate_and_aaa_need_the_typed_vpn_user_to_be_the_certificates(cert_postern, client_pki, pki):
    postern = cert_postern(users={"jdoe": "jdoe-vpn-password"},
                           **{"tls": client_pki.tls(),
                              "imap4s": {"authentication": ["certificate", "aaa"], "authorization-dn-attributes": ["UID"]}})
    reply, session = imap_login(postern, pki, "full", user="JDOE:bob", password=f"jdoe-vpn-password:{MAIL_USERS['bob']}")
    assert reply.ok, reply
    assert postern.wait_for("auth-result", session=session, method="aaa")["result"] == "success"
    reply, session = imap_login(postern, pki, "full", user="vpnuser:bob", password=f"jdoe-vpn-password:{MAIL_USERS['bob']}")
    assert reply.status == "NO", reply
    result = postern.wait_for("auth-result", session=session)
    assert result["reason"] == "typed VPN user is not the client certificate's name", result


def test_the_mapped_name_is_what_authorization_looks_up(cert_postern, client_pki, pki):
    postern = cert_postern(users={"jdoe@corp.example": "unused-password"}, policies={"jdoe@corp.example": "Engineering"}, **{
        "tls": client_pki.tls(),
        "group-policy": {"Engineering": {"simultaneous-logins": 2}},
        "imap4s": {"authentication": ["certificate"], "authorization-dn-attributes": ["UPN"],
                   "authorization-server-group": "LOCAL", "authorization-required": True},
    })
    reply, session = imap_login(postern, pki, "full")
    assert reply.ok, reply
    assert postern.wait_for("authorization", session=session)["policy"] == "Engineering"
    # plain has no UPN: refused before any look-up.
    reply, session = imap_login(postern, pki, "plain")
    assert reply.status == "NO"
    assert "lacks UPN" in postern.wait_for("auth-result", session=session)["reason"]


def test_a_crl_added_by_reload_refuses_a_certificate_that_worked(cert_postern, client_pki, pki):
    postern = cert_postern(**{"tls": client_pki.tls(crl="crl-none.pem"), "imap4s": {"authentication": ["certificate"]}})
    assert imap_login(postern, pki, "revoked")[0].ok
    postern.overrides["tls"] = client_pki.tls(crl="crl.pem")
    postern.config_path.write_text(tomlwriter.dumps(postern.config()))
    since = postern.mark()
    assert posternctl(postern, "reload").returncode == 0
    postern.wait_for("config-reloaded", since=since)
    # The listener builds the new generation's TLS contexts after the supervisor's reload.
    postern.wait_for("listener-ready", since=since, generation="2")
    reply, session = imap_login(postern, pki, "revoked")
    assert reply.status == "NO", reply
    assert postern.wait_for("auth-result", session=session)["reason"] == "client certificate revoked"


def test_a_damaged_crl_is_refused_at_reload_and_the_running_one_kept(cert_postern, client_pki, pki, e2e_dir):
    damaged = e2e_dir / "damaged.crl"
    damaged.write_text("-----BEGIN X509 CRL-----\nnot base64 at all\n-----END X509 CRL-----\n")
    postern = cert_postern(**{"tls": client_pki.tls(crl="crl.pem"), "imap4s": {"authentication": ["certificate"]}})
    postern.overrides["tls"] = {**client_pki.tls(), "crl": str(damaged)}
    postern.config_path.write_text(tomlwriter.dumps(postern.config()))
    since = postern.mark()
    assert posternctl(postern, "reload").returncode != 0
    rejected = postern.wait_for("config-rejected", since=since)
    assert rejected["error"].startswith("tls: ") and "the crl is damaged" in rejected["error"], rejected
    assert imap_login(postern, pki, "plain")[0].ok
    assert imap_login(postern, pki, "revoked")[0].status == "NO", "the running CRL still applies"


def test_the_mapped_name_is_authorized_by_radius_and_is_the_accounting_user(cert_postern, client_pki, radius, pki, e2e_dir):
    radius.set_users(radius_users(jdoe=RadiusUser("jdoe", (("Class", "OU=Engineering;"),))))
    secret = write_secret(e2e_dir / "radius-secret-certificate", radius.secret)
    postern = cert_postern(**{
        "tls": client_pki.tls(),
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "group-policy": {"Engineering": {"simultaneous-logins": 2}},
        "imap4s": {"authentication": ["certificate"], "authorization-dn-attributes": ["UID"],
                   "authorization-server-group": "RAD", "accounting-server-group": "RAD"},
    })
    with ImapConnection(postern.port, pki.ca_cert, certificate=client_pki.certificate("full")) as conn:
        assert conn.login("bob", MAIL_USERS["bob"]).ok
        session = postern.session_of_client(conn.local_port)
        granted = postern.wait_for("authorization", session=session)
        assert (granted["vpn-user"], granted["policy"], granted["source"]) == ("jdoe", "Engineering", "radius-class"), granted
        start = radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=session)
        assert start["User-Name"] == "jdoe", start
        conn.logout()
    stop = radius.wait_for_accounting(Acct_Status_Type="Stop", Acct_Session_Id=session)
    assert stop["User-Name"] == "jdoe", stop


def test_the_mapped_name_is_authorized_by_ldap_groups(cert_postern, client_pki, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-certificate", ldap.service_password)
    postern = cert_postern(**{
        "tls": client_pki.tls(),
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file), timeout="2s")},
        "group-policy": {"Engineering": {"simultaneous-logins": 2}},
        "imap4s": {"authentication": ["certificate"], "authorization-dn-attributes": ["UID"],
                   "authorization-server-group": "DIR", "authorization-required": True},
    })
    reply, session = imap_login(postern, pki, "alice")
    assert reply.ok, reply
    granted = postern.wait_for("authorization", session=session)
    assert (granted["vpn-user"], granted["policy"], granted["source"]) == ("alice", "Engineering", "ldap-group"), granted
    # jdoe is not in the directory: authorization-required refuses the name.
    reply, session = imap_login(postern, pki, "full")
    assert reply.status == "NO", reply
    assert postern.wait_for("authorization", session=session)["result"] == "refused"


FULL_NAMES = {
    ("CN", "OU"): "Jürgen Doe Mail",          # the first OU in the subject's order
    ("UID",): "jdoe",                         # from the multi-valued RDN CN+UID
    ("EA", "O"): "johndoe@example.org Example Inc",
    ("UPN", "none"): "jdoe@corp.example",
    ("entire-dn",): None,                     # the subject in RFC 4514 form, as tls-established logs it
}


@pytest.mark.parametrize("fields", list(FULL_NAMES), ids=lambda f: "-".join(f))
def test_each_mapping_gives_its_name_in_the_log_the_sessions_and_the_radius_stop(cert_postern, client_pki, radius,
                                                                                  pki, e2e_dir, fields):
    secret = write_secret(e2e_dir / f"radius-secret-mapping-{'-'.join(fields)}", radius.secret)
    postern = cert_postern(**{
        "tls": client_pki.tls(),
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "imap4s": {"authentication": ["certificate"], "authorization-dn-attributes": list(fields),
                   "accounting-server-group": "RAD"},
    })
    # curl as the client: it lists the mailboxes after logging in with the certificate.
    chain = client_pki.certificate("full")
    listing = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", str(pki.ca_cert),
                              "--cert", str(chain[0]), "--key", str(chain[1]),
                              "-u", f"bob:{MAIL_USERS['bob']}", f"imaps://127.0.0.1:{postern.port}/"],
                             capture_output=True, text=True)
    assert listing.returncode == 0 and "INBOX" in listing.stdout, listing.stderr
    established = postern.wait_for("tls-established", **{"client-serial": postern.find("tls-established")[-1]["client-serial"]})
    expected = FULL_NAMES[fields] or established["client-subject"]
    result = postern.wait_for("auth-result", method="certificate")
    assert result["vpn-user"] == expected, result
    session = result["session"]
    stop = radius.wait_for_accounting(Acct_Status_Type="Stop", Acct_Session_Id=session)
    assert stop["User-Name"] == expected, stop
    # The sessions list while one is open, with Python's client.
    with ImapConnection(postern.port, pki.ca_cert, certificate=chain) as conn:
        assert conn.login("bob", MAIL_USERS["bob"]).ok
        listed = posternctl(postern, "sessions", json_output=True).json["sessions"]
        assert [(s["vpnUser"], s["clientSubject"]) for s in listed] == [(expected, established["client-subject"])], listed


def test_an_entire_dn_longer_than_a_radius_user_name_is_refused_when_radius_would_carry_it(cert_postern, client_pki,
                                                                                          radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-long-name", radius.secret)
    postern = cert_postern(**{
        "tls": client_pki.tls(),
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "imap4s": {"authentication": ["certificate"], "authorization-dn-attributes": ["entire-dn"],
                   "accounting-server-group": "RAD"},
    })
    reply, session = imap_login(postern, pki, "long")
    assert reply.status == "NO" and "UNAVAILABLE" not in reply.text, reply
    reason = postern.wait_for("auth-result", session=session)["reason"]
    assert "more than a RADIUS User-Name holds (253)" in reason, reason
    assert imap_login(postern, pki, "plain")[0].ok, "a short name still logs in"


def test_with_the_certificate_alone_a_typed_vpn_user_must_be_the_certificates(cert_postern, client_pki, pki):
    postern = cert_postern(**certificate_only(client_pki, **{"authorization-dn-attributes": ["UID"]}))
    assert imap_login(postern, pki, "full", user="jdoe:bob")[0].ok
    reply, session = imap_login(postern, pki, "full", user="alice:bob")
    assert reply.status == "NO", reply
    assert postern.wait_for("auth-result", session=session)["reason"] == "typed VPN user is not the client certificate's name"


def test_a_client_that_resumes_its_tls_session_is_checked_again_and_logs_in(cert_postern, client_pki, pki):
    """A resumed session would keep the certificate but not the chain the client sent: a
    protocol that asks for certificates offers no resumption, so each connection is checked whole."""
    postern = cert_postern(**certificate_only(client_pki))
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.load_cert_chain(*(str(p) for p in client_pki.certificate("plain")))
    session = None
    for _ in range(2):
        raw = socket.create_connection(("127.0.0.1", postern.port), timeout=10)
        with context.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as conn:
            conn.recv(4096)
            conn.sendall(f'a LOGIN bob "{MAIL_USERS["bob"]}"\r\n'.encode())
            reply = b""
            while b"\r\n" not in reply:
                reply += conn.recv(4096)
            assert reply.startswith(b"a OK"), reply
            session = conn.session
    assert len(postern.find("auth-result", method="certificate", result="success")) == 2
