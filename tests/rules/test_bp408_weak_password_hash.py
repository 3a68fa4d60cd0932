"""BP408 weak-password-hash: fast digests and home-made encryption of passwords."""

from __future__ import annotations

from tests.rules._auth import lines

CODE = """\
import base64
import hashlib
from hashlib import md5 as digest

from app.crypto import custom_encrypt


def weak(password: str, data) -> None:
    hashlib.sha256(password.encode()).hexdigest()
    digest(data.password.encode())
    h = hashlib.sha1()
    h.update(data.password.encode())
    custom_encrypt(data.password)
    obfuscate_password(password)


def fine(content: bytes, password: str, token: str) -> None:
    hashlib.sha256(content).hexdigest()
    hashlib.sha256(token.encode()).hexdigest()
    hashlib.pbkdf2_hmac("sha256", password.encode(), b"salt", 600_000)
    base64.b64encode(f"user:{password}".encode())
    fernet.encrypt(password.encode())
    hashlib.sha256(hash_password(password).encode())
"""


def test_weak_hashes(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "crypto.py").write_text("def custom_encrypt(x): ...\n", encoding="utf-8")
    assert lines(CODE, "BP408", str(tmp_path / "app" / "users.py")) == [9, 10, 12, 13, 14]


def test_library_functions_are_not_home_made() -> None:
    code = (
        "from cryptography.somewhere import encrypt\n\n\ndef f(password):\n    encrypt(password)\n"
    )
    assert lines(code, "BP408") == []
