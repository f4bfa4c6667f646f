"""A throwaway CA and a server certificate for loopback, made with the openssl CLI.

The server certificate names localhost, 127.0.0.1 and 127.0.0.2 (the second mail host), so
clients verify it with the CA as their only trust anchor. A second, unrelated CA serves the
tests where verification must fail.
"""
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_CA_EXT = """\
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

_SERVER_EXT = """\
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:127.0.0.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class Pki:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    other_ca_cert: Path   # a CA that signed nothing here: verification against it fails


def _openssl(*args, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _make_ca(directory: Path, name: str) -> tuple:
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-days", "7", "-subj", f"/O=postern e2e/CN={name}", "-keyout", str(key), "-out", str(cert),
             "-extensions", "v3_ca", "-config", str(_req_config(directory)),
             cwd=directory)
    return key, cert


def _req_config(directory: Path) -> Path:
    path = directory / "req.cnf"
    if not path.exists():
        path.write_text("[req]\ndistinguished_name = dn\n[dn]\n[v3_ca]\n" + _CA_EXT)
    return path


def make_pki(directory: Path) -> Pki:
    """CA, server key and certificate (chain = leaf then CA) under `directory` (mode 0755).

    Certificates are world-readable; keys are mode 0600 (callers copy them where a
    non-root reader needs them).
    """
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o755)
    ca_key, ca_cert = _make_ca(directory, "test-ca")
    _, other_ca = _make_ca(directory, "other-ca")

    key, csr, leaf = directory / "server.key", directory / "server.csr", directory / "server-leaf.pem"
    ext = directory / "server.ext"
    ext.write_text(_SERVER_EXT)
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-subj", "/O=postern e2e/CN=localhost", "-keyout", str(key), "-out", str(csr),
             "-config", str(_req_config(directory)), cwd=directory)
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
             "-CAcreateserial", "-days", "7", "-extfile", str(ext), "-out", str(leaf), cwd=directory)
    chain = directory / "server.pem"
    chain.write_bytes(leaf.read_bytes() + ca_cert.read_bytes())

    for path in (ca_key, directory / "other-ca.key", key):
        os.chmod(path, 0o600)
    for path in (ca_cert, other_ca, chain):
        os.chmod(path, 0o644)
    return Pki(ca_cert=ca_cert, server_cert=chain, server_key=key, other_ca_cert=other_ca)
