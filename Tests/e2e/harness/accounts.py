"""The people in the tests: mail accounts on Dovecot and VPN accounts in postern's users file.

With one username, one password serves both sides (SPEC §3), so every mail user is also a
VPN user with the same password; `vpnuser` exists only on the VPN side, with its own password.
"""

MAIL_USERS = {
    "alice": "alicepw",
    "bob": "bobpw",
    "carol": "carolpw",
    "dave": "davepw",
    "alice@example.org": "orgpw-Kq7v",
}

# A mail account the mail host refuses in words of its own (a Dovecot passdb entry with
# `nologin reason=`, which Dovecot's POP3 answers with "-ERR [AUTH] <reason>" once the password
# matched): POP3S passes that refusal on instead of a generic one. (Postfix's Dovecot SASL
# ignores `nologin`: over SMTP the account logs in.)
REFUSED_USER = "erin"
REFUSED_PASSWORD = "erinpw-Lk42"
REFUSED_REASON = "Mailbox-suspended-by-the-mail-host-E2E"
MAIL_HOST_ONLY_FIELDS = {REFUSED_USER: f"nologin reason={REFUSED_REASON}"}

VPN_USER = "vpnuser"
VPN_PASSWORD = "vpnpass-Wd3x"

# Sent by tests that expect a refusal; must never reach the log either.
WRONG_PASSWORD = "wrongpw-Zx81"


def mail_host_users() -> dict:
    """Every account of the test mail host: MAIL_USERS and the refused one."""
    return {**MAIL_USERS, REFUSED_USER: REFUSED_PASSWORD}


def vpn_users(**extra) -> dict:
    """Entries for postern's local users file: every mail host user, `vpnuser`, and `extra`."""
    return {**mail_host_users(), VPN_USER: VPN_PASSWORD, **extra}


def all_passwords() -> set:
    return {*mail_host_users().values(), VPN_PASSWORD, WRONG_PASSWORD}
