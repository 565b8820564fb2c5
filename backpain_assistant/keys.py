"""Secret keys that every process of one deployment must share (log pseudonyms, the widget's
session ids): from an environment variable, else from a key file that the first process to
need it creates.

A key per process would not do: the widget's session id, issued by one Sanic worker or Rasa
server, must be recognised by the next one a reloaded page reaches. The file is created
exclusively (the first writer wins, the others read its key) and readable by its owner only.
"""

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
KEY_DIR_VARIABLE = "BACKPAIN_KEY_DIR"
DEFAULT_KEY_DIR = ROOT / "build" / "keys"
KEY_BYTES = 32


def deployment_key(name: str, variable: str, key_dir: Optional[Path] = None) -> bytes:
    configured = os.environ.get(variable, "").strip()
    if configured:
        return configured.encode("utf-8")
    return _key_file(
        Path(key_dir or os.environ.get(KEY_DIR_VARIABLE) or DEFAULT_KEY_DIR) / f"{name}.key"
    )


def keyed_digest(key: bytes, text: str, hex_chars: int) -> str:
    """The first `hex_chars` hex digits of HMAC-SHA256(key, text): the pseudonyms in logs and
    the tags of widget session ids."""
    digest = hmac.new(key, text.encode("utf-8", "surrogateescape"), hashlib.sha256)
    return digest.hexdigest()[:hex_chars]


def _key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(secrets.token_hex(KEY_BYTES))
    return path.read_bytes().strip()


def _read_when_written(path: Path, attempts: int = 50) -> bytes:
    """Another process may have created the file and not yet written its key."""
    for _ in range(attempts):
        key = path.read_bytes().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} stays empty: delete it, and the next start writes a new key")
