"""BP408 weak-password-hash: passwords run through fast digests or home-made encryption."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.auth._passwords import mentions_password
from precepts.rules.auth.bp409_hardcoded_secret import name_words
from precepts.rules.sqlalchemy._orm import current_bindings

_DIGESTS = frozenset(
    {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "sha3_224",
     "sha3_256", "sha3_384", "sha3_512", "new"}
)  # fmt: skip
# Words of a home-made transformation of a password.
_HOME_MADE = frozenset({"encrypt", "obfuscate", "scramble", "cipher", "encode", "xor", "rot13"})


class WeakPasswordHash(Rule):
    """Flags ``hashlib`` digests and home-made encryption of passwords."""

    code = "BP408"
    name = "weak-password-hash"
    family = "auth"
    section = "Authentication & Authorization"
    severity = Severity.ERROR
    message = "Password hashed with a fast digest: use `pwd_context.hash()` (bcrypt/argon2)"
    summary = (
        "`hashlib.md5/sha1/sha256/...` (or `hashlib.new(...)`, or `.update(...)` of such a "
        "hash object) applied to a password value; a home-made transformation of a "
        "password — a function of this workspace (or not defined anywhere) whose name says "
        "it encrypts, encodes or obfuscates (`custom_encrypt(password)`)."
    )
    why = (
        "General-purpose digests are built to be fast: a GPU tries billions of SHA-256 "
        "guesses a second, so a leaked table of digests is a leaked table of passwords. "
        "Home-made encryption is reversible by whoever has the code or the key. Password "
        "hashes must be slow and salted: bcrypt or argon2 through passlib's `CryptContext`, "
        "as the standard shows."
    )
    leaves_alone = (
        "Checksums of data that is not a password (files, cache keys, tokens), "
        "`hashlib.pbkdf2_hmac` and `hashlib.scrypt` (key-derivation functions), methods of "
        "library objects (`pwd_context.encrypt`, Fernet's `encrypt` of a stored credential), "
        "and tests."
    )
    bad = (
        Example(
            "import hashlib\n"
            "\n"
            "\n"
            "def password_digest(password: str) -> str:\n"
            '    """Return what is stored for a password."""\n'
            "    return hashlib.sha256(password.encode()).hexdigest()\n",
            line=6,
        ),
    )
    good = (
        Example(
            "import hashlib\n"
            "\n"
            "\n"
            "def checksum(content: bytes) -> str:\n"
            '    """Return the checksum of an uploaded file."""\n'
            "    return hashlib.sha256(content).hexdigest()\n"
        ),
    )
    bad_cases = (
        Example("import hashlib\ndigest = hashlib.md5(password.encode()).hexdigest()\n", line=2),
        Example('import hashlib\nhashlib.new("sha1", password.encode())\n', line=2),
        Example("import hashlib\nh = hashlib.sha256()\nh.update(user.password.encode())\n", line=3),
        "stored = custom_encrypt(password)",  # home-made, defined nowhere
    )
    good_cases = (
        "import hashlib\nkey = hashlib.sha256(cache_key.encode()).hexdigest()",
        'import hashlib\nkey = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)',
        "import hashlib\nkey = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)",
        "stored = pwd_context.encrypt(password)",  # a library object's method
        Example(
            "import hashlib\ndigest = hashlib.md5(password.encode()).hexdigest()\n",
            path="tests/test_auth.py",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Check digests and home-made transformations of password values."""
        if self.context.is_test or not node.args:
            return
        qualified = self.context.facts.qualify(node.func) or ""
        head, _, last = qualified.rpartition(".")
        if head == "hashlib" and last in _DIGESTS:
            if self._password_argument(node):
                self.report(node)
        elif last == "update" and self._is_digest_object(node.func):
            if self._password_argument(node):
                self.report(node)
        elif self._home_made(node.func, qualified) and self._password_argument(node):
            self.report(
                node,
                f"Password transformed by `{qualified}`: home-made encryption is not a "
                "password hash, use `pwd_context.hash()` (bcrypt/argon2)",
            )

    def _password_argument(self, node: cst.Call) -> bool:
        return any(mentions_password(self.context, arg.value) for arg in node.args)

    def _is_digest_object(self, func: cst.BaseExpression) -> bool:
        """``h.update(...)`` where ``h = hashlib.sha256()`` in this function."""
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return False
        for binding in current_bindings(self.context).of(func.value.value):
            value = binding.value
            if binding.kind == "assign" and isinstance(value, cst.Call):
                called = self.context.facts.qualify(value.func) or ""
                head, _, last = called.rpartition(".")
                if head == "hashlib" and last in _DIGESTS:
                    return True
        return False

    def _home_made(self, func: cst.BaseExpression, qualified: str) -> bool:
        """A function of the workspace (or undefined) named like a transformation."""
        if not isinstance(func, cst.Name):
            return False  # methods of library objects: passlib, cryptography
        words = set(name_words(func.value))
        if not words & _HOME_MADE or "hash" in words or "hashed" in words:
            return False
        facts = self.context.facts
        if func.value in facts.imports:
            from precepts.crossfile import default_service  # lazy: jedi only when needed

            return default_service().is_project_module(self.context.path, qualified)
        return True
