#!/usr/bin/env bash
# Installs every Debian and Python package that building, testing and the demo need.
# Idempotent; safe to run on a fresh Debian 12 machine as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Keep package postinsts from starting distribution instances of the test servers.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
fi

packages=(
    pkg-config libssl-dev libseccomp-dev libcap-dev libcrypt-dev
    dovecot-imapd dovecot-pop3d dovecot-submissiond dovecot-lmtpd
    postfix swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl
    openssl curl strace python3 python3-pytest
    nginx libnginx-mod-mail    # the reference proxy of `make bench`
    freeradius freeradius-utils slapd ldap-utils libldap-dev    # RADIUS and LDAP AAA test servers
    debhelper dpkg-dev fakeroot lintian    # `make deb`
    systemd                                # systemd-analyze for the unit's checks (nothing is started:
                                           # without systemd as PID 1 its postinst only adds files)
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    # Postfix: no /etc/postfix/main.cf and no system instance; the tests run a private one.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "postfix postfix/mailname string localhost" | debconf-set-selections
    # slapd: no dc=nodomain database and no /etc/ldap/slapd.d; the tests run a private one.
    echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Accounts: the three role users and the admin group, as the package's postinst makes them.
getent group postern-admin >/dev/null || groupadd --system postern-admin
for u in postern postern-auth postern-relay; do
    getent passwd "$u" >/dev/null || useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --user-group "$u"
done
# The mail store owner of the test and demo Dovecot.
getent passwd vmail >/dev/null || useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --user-group vmail
