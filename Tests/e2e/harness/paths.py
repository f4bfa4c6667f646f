"""Where the repository and postern's binaries are."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def bin_dir() -> Path:
    """POSTERN_BIN_DIR, or the repo's debug build."""
    return Path(os.environ.get("POSTERN_BIN_DIR", REPO / ".build" / "debug"))


def binary(name: str) -> Path:
    return bin_dir() / name
