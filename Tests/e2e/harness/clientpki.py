"""Client certificates for certificate authentication (SPEC §3), made by Tests/fixtures/client-pki.sh
(the script the unit tests use too): a root the server trusts, an intermediate, leaves and CRLs."""
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "fixtures" / "client-pki.sh"


class ClientPki:
    def __init__(self, directory: Path):
        self.directory = directory
        subprocess.run(["bash", str(SCRIPT), str(directory)], check=True, capture_output=True)

    def path(self, name: str) -> Path:
        return self.directory / name

    def certificate(self, name: str) -> tuple:
        """(chain file, key file) of the client certificate `name` (full, plain, nocn, revoked,
        expired, otherca)."""
        return (self.directory / f"{name}.pem", self.directory / f"{name}.key")

    def tls(self, crl: str = "crl.pem") -> dict:
        """postern's [tls] keys for these clients (beside the server's own)."""
        keys = {"client-ca": str(self.path("client-ca.pem"))}
        if crl:
            keys["crl"] = str(self.path(crl))
        return keys
