"""What every exporter writes into a package's manifest about its files (shared by export_*.py)."""
import hashlib


def sha256(path):
    """Lower-case hex sha256 of a file, read in 1 MiB blocks (ONNX graphs can be hundreds of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
