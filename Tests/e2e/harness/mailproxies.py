"""postern's [pop3s] and [smtps] sections for the test mail hosts (SPEC §2), to pass as
`overrides` to start_postern beside the default [imap4s]:

    start_postern(overrides={**pop3s(dovecot), **smtps(postfix)})

Keyword arguments set further keys of the section (underscores for dashes)."""
from .ports import free_port

# What postern's EHLO offers besides AUTH (the [smtps] `advertise` key).
SMTP_ADVERTISED = ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"]


def _section(server: str, **keys) -> dict:
    section = {
        "enable": ["outside"],
        "port": free_port(),
        "server": server,
        "upstream-tls": "none",
        "authentication": ["aaa"],
        "authentication-server-group": "LOCAL",
        "default-group-policy": "DfltGrpPolicy",
        "outstanding": 20,
    }
    section.update({k.replace("_", "-"): v for k, v in keys.items()})
    return section


def pop3s(dovecot, **keys) -> dict:
    """POP3S in front of Dovecot's plain POP3 on 127.0.0.1 (127.0.0.2 allowed as well)."""
    keys.setdefault("allowed_servers", [f"127.0.0.2:{dovecot.ports.pop3}"])
    return {"pop3s": _section(f"127.0.0.1:{dovecot.ports.pop3}", **keys)}


def smtps(postfix, mailhost: bool = True, **keys) -> dict:
    """SMTPS in front of Postfix: with `mailhost`, postern logs in there with the mail
    credentials (its AUTH port); without, Postfix trusts the proxy (its mynetworks port)."""
    keys.setdefault("authentication", ["aaa", "mailhost"] if mailhost else ["aaa"])
    keys.setdefault("advertise", SMTP_ADVERTISED)
    port = postfix.ports.auth if mailhost else postfix.ports.trusted
    return {"smtps": _section(f"127.0.0.1:{port}", **keys)}
