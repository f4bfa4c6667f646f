"""The supervisor reads the files the configuration names (TLS certificate and key, upstream CA
files, secret files) with a bound: a file over 1 MiB fails the start with a message naming the
setting and the path, instead of being read whole."""
import pytest

from harness.posternlog import PosternError


def test_an_oversized_certificate_file_fails_the_start_naming_it(start_postern, pki, e2e_dir, tmp_path):
    big = tmp_path / "big.pem"
    # A valid certificate followed by comment lines, which PEM readers skip: only the size is wrong.
    pem = open(pki.server_cert).read()
    big.write_text(pem + ("# padding " + "x" * 100 + "\n") * 11000)
    assert big.stat().st_size > 1 << 20
    big.parent.chmod(0o755)
    big.chmod(0o644)
    with pytest.raises(PosternError) as failure:
        start_postern(overrides={"tls": {"certificate": str(big)}})
    message = str(failure.value)
    assert "tls.certificate" in message and str(big) in message and "larger than 1 MiB" in message, message
