"""BP407 plaintext-password: a password stored on a user without hashing it first."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.auth._passwords import is_hashed_name, is_password_name, is_plain_password
from precepts.rules.auth.bp409_hardcoded_secret import name_words
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import is_class_like, model_kind

# Objects whose ``password`` attribute is a credential to use, not a user's to store.
_CREDENTIAL_HOLDERS = frozenset(
    {"settings", "config", "conf", "cfg", "options", "opts", "args", "env", "client",
     "connection", "conn", "credentials", "creds", "params", "kwargs", "smtp", "server",
     "url", "dsn", "engine", "mail", "request", "req", "form", "body", "data", "payload",
     "schema", "parser", "parsed", "namespace", "auth", "proxy"}
)  # fmt: skip
_MESSAGE = "Password stored without hashing: hash it with `pwd_context.hash()` first"


def _receiver_words(node: cst.BaseExpression) -> set[str]:
    name = dotted_name(node)
    return set(name_words(name.rsplit(".", 1)[-1])) if name else set()


class PlaintextPassword(Rule):
    """Flags a plaintext password written to a user's attribute or constructor keyword."""

    code = "BP407"
    name = "plaintext-password"
    family = "auth"
    section = "Authentication & Authorization"
    severity = Severity.ERROR
    message = _MESSAGE
    summary = (
        'A plaintext password value (`data.password`, `form["password"]`, a `password` '
        "parameter or a name assigned from one) stored on an object: `user.password = "
        'data.password`, `setattr(user, "password", ...)`, `user.hashed_password = '
        "password`, a model constructor `User(password=...)`, and any call with "
        "`hashed_password=`/`password_hash=` given the plaintext."
    )
    why = (
        "A database of plaintext passwords leaks every user's password (and, by reuse, "
        "their other accounts) with the first SQL injection, backup or log. The standard "
        "stores only `pwd_context.hash(password)` (bcrypt)."
    )
    leaves_alone = (
        "Values passed through a hashing helper (`hash_password`, `get_password_hash`, "
        "`pwd_context.hash`, `bcrypt.hashpw`, argon2's `PasswordHasher().hash`) or any other "
        "call (home-made encryption is BP408); `password=` keywords of functions and of "
        "request schemas (only models count); credentials held to connect somewhere "
        "(`self.password = password` in a client, `settings.password`, `conn.password`); "
        "tests."
    )
    bad = (
        Example(
            "from app.models import User\n"
            "from app.schemas import UserCreate\n"
            "\n"
            "\n"
            "def register(user: User, user_data: UserCreate) -> None:\n"
            '    """Set the new user\'s password."""\n'
            "    user.password = user_data.password\n",
            line=7,
        ),
    )
    good = (
        Example(
            "from passlib.context import CryptContext\n"
            "\n"
            "from app.models import User\n"
            "from app.schemas import UserCreate\n"
            "\n"
            'pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")\n'
            "\n"
            "\n"
            "def register(user: User, user_data: UserCreate) -> None:\n"
            '    """Set the new user\'s password hash."""\n'
            "    user.hashed_password = pwd_context.hash(user_data.password)\n"
        ),
    )
    bad_cases = (
        "user.hashed_password = password",
        'user.password: str = form["password"]',
        "repo.create(email=data.email, hashed_password=data.password)",
        Example(
            "from app.models import User\n"
            "def f(user: User, form):\n"
            '    setattr(user, "password", form["password"])\n',
            line=3,
        ),
        Example(
            "from sqlalchemy.orm import DeclarativeBase\n"
            "class Base(DeclarativeBase): ...\n"
            "class Account(Base):\n"
            '    __tablename__ = "accounts"\n'
            "def f(data):\n"
            "    return Account(email=data.email, password=data.password)\n",
            line=6,
        ),
    )
    good_cases = (
        "user.hashed_password = hash_password(password)",
        "user.hashed_password = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
        'session_token = login(username="ada", password=password)',  # a function's keyword
        "class Client:\n    def __init__(self, password: str):\n        self.password = password",
        "conn.password = settings.password",  # a credential to connect with
        'from app.schemas import UserCreate\nrequest = UserCreate(email="a", password=password)',
        Example("user.password = password\n", path="tests/test_users.py"),
    )

    def _skip(self) -> bool:
        return self.context.is_test

    def visit_Assign(self, node: cst.Assign) -> None:
        """Check ``user.password = data.password``."""
        for target in node.targets:
            if isinstance(target.target, cst.Attribute):
                self._check_attribute(target.target.value, target.target.attr.value, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Check ``user.password: str = data.password``."""
        if isinstance(node.target, cst.Attribute) and node.value is not None:
            self._check_attribute(node.target.value, node.target.attr.value, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        """Check ``setattr(user, "password", ...)`` and ``User(password=...)``."""
        if self._skip():
            return
        if dotted_name(node.func) == "setattr" and len(node.args) == 3:
            attribute = string_value(node.args[1].value)
            if attribute is not None:
                self._check_attribute(node.args[0].value, attribute, node.args[2].value)
            return
        for arg in node.args:
            if arg.keyword is None:
                continue
            keyword = arg.keyword.value
            if is_hashed_name(keyword) or (is_password_name(keyword) and self._is_model(node)):
                if is_plain_password(self.context, arg.value):
                    self.report(arg.value)

    def _is_model(self, call: cst.Call) -> bool:
        if not is_class_like(call.func):
            return False
        return model_kind(self.context, call.func, "") is not None

    def _check_attribute(
        self, receiver: cst.BaseExpression, attribute: str, value: cst.BaseExpression
    ) -> None:
        if self._skip():
            return
        hashed = is_hashed_name(attribute)
        if not hashed and not is_password_name(attribute):
            return
        words = _receiver_words(receiver)
        if words & _CREDENTIAL_HOLDERS:
            return
        if not hashed and (not words or words & {"self", "cls"}):
            return  # a client keeping the credential it connects with
        if is_plain_password(self.context, value):
            self.report(value)
