"""BP409 hardcoded-secret: secrets, passwords, API keys and tokens written as literals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import libcst as cst

from precepts.context import RuleContext
from precepts.facts import dotted_name
from precepts.findings import Applicability, Severity
from precepts.rule import Change, Example, FixSpec, InsertBefore, Replace, Rule
from precepts.rules.sql._sqlcst import string_value

# A name is secret when its last word is one of these ...
_SECRET_WORDS = frozenset({"secret", "password", "passwd", "passphrase", "token", "apikey",
                           "secretkey"})  # fmt: skip
# ... or its last two words are one of these.
_SECRET_PAIRS = frozenset(
    {
        ("secret", "key"), ("api", "key"), ("private", "key"), ("signing", "key"),
        ("encryption", "key"), ("access", "key"), ("master", "key"),
    }
)  # fmt: skip
# Values that are templates or masks, not secrets.
_PLACEHOLDER = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\{\{.*\}\}|<[^>]*>|%\([^)]*\)s|[^\w*]*(?:\*+|•+)[^\w*]*|x+|X+)\s*$",
    re.S,
)
# "token" also names parser and sentinel tokens: only digits or length make it a credential.
_LONG_TOKEN = 16
# Shorter values are labels or symbols (`"secret": "㊙"`), not credentials.
_MIN_LENGTH = 3
# Keys under which literal values are documentation (OpenAPI examples).
_EXAMPLE_KEYS = frozenset(
    {"example", "examples", "openapi_examples", "json_schema_extra", "schema_extra"}
)
_CALL_NAMES = frozenset({"encode", "decode", "getenv", "get", "setdefault"})
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_JWT_FUNCTIONS = frozenset({"encode", "decode"})
_WRAPPERS = frozenset({"Field", "SecretStr", "SecretBytes"})
# Values that name a secret: an environment variable, a dotted configuration key.
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CONFIG_PATH = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+$")
_SECRET_SUFFIXES = ("password", "passwd", "secret", "token", "apikey", "secretkey")
# Markers stored where an externally authenticated user has no password of its own
# (`{"username": name, "password": "LDAP"}`): the name of the scheme, not a secret.
_AUTH_MARKERS = frozenset(
    {"ldap", "sso", "saml", "oidc", "oauth", "oauth2", "kerberos", "external", "trusted-header"}
)
# Values a client library needs where the service takes no key: they say so themselves.
_DUMMIES = frozenset(
    {"unused", "dummy", "placeholder", "not-needed", "not_needed", "not-used", "none", "null",
     "ignored", "no-key", "nokey", "redacted"}
)  # fmt: skip
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")


@lru_cache(maxsize=4096)
def name_words(name: str) -> tuple[str, ...]:
    """Split an identifier or key into lower-case words (``apiKey`` → ``api``, ``key``).

    Args:
        name: A name, snake, camel or kebab case.

    Returns:
        The words.
    """
    return tuple(w for w in _SPLIT.split(_CAMEL.sub(r"\1_\2", name).lower()) if w)


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Tell whether a name holds a secret: ``SECRET_KEY``, ``db_password``, ``apiKey``.

    Only the last word(s) count, so ``token_type``, ``TOKEN_URL``, ``password_field`` and
    ``password_min_length`` are not secrets.

    Args:
        name: A variable, attribute, keyword or dict key.

    Returns:
        True for a secret's name.
    """
    words = name_words(name)
    if not words:
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    return len(words) >= 2 and (words[-2], words[-1]) in _SECRET_PAIRS


def env_name(name: str) -> str:
    """Return the environment variable name for a target (``apiKey`` → ``API_KEY``).

    Args:
        name: The target's name.

    Returns:
        Its upper-case snake form.
    """
    return "_".join(name_words(name)).upper()


def _literal_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
        return node.raw_value
    if isinstance(node, cst.FormattedString) and any(
        isinstance(part, cst.FormattedStringExpression) for part in node.parts
    ):
        return None  # built from other values
    return string_value(node)


def _secret_literal(
    node: cst.BaseExpression | None, name: str, labels: bool = True
) -> cst.BaseExpression | None:
    """Return the literal that ``node`` hardcodes for ``name``, or None.

    Args:
        node: The value.
        name: The name it is given.
        labels: Whether a value that repeats the name is a label (``PASSWORD =
            "password"``); not for keyword arguments, where ``password="password"`` is the
            credential a call is made with.

    Returns:
        The literal, or None when the value is no secret.
    """
    if isinstance(node, cst.Call):
        wrapped = _wrapped_default(node)
        return _secret_literal(wrapped, name, labels) if wrapped is not None else None
    if node is None or not isinstance(
        node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
    ):
        return None
    text = _literal_text(node)
    if text is None or len(text.strip()) < _MIN_LENGTH or _PLACEHOLDER.match(text):
        return None
    if _is_raw_pattern(node):
        return None
    words = name_words(name)
    if labels and name_words(text) == words:
        return None  # `PASSWORD = "password"`: a label (enum member, field name, grant type)
    marker = text.strip().lower()
    if _names_a_secret(text.strip()) or marker in _AUTH_MARKERS or marker in _DUMMIES:
        return None
    if words and words[-1] == "token" and not _looks_like_credential(text):
        return None  # parser and sentinel tokens: `upgrade_token = "upgrades"`
    return node


def _names_a_secret(value: str) -> bool:
    """A value that *names* a secret instead of holding it.

    An environment variable's name (``"SERPER_API_KEY"``, ``"PGPASSWORD"``) or a
    configuration key (``"web.search.serper_api_key"``): maps from one naming scheme to
    another, which every configuration loader has.
    """
    if _ENV_NAME.match(value):
        return "_" in value or is_secret_name(value) or value.lower().endswith(_SECRET_SUFFIXES)
    if _CONFIG_PATH.match(value):
        return is_secret_name(value.rsplit(".", 1)[-1])
    return False


def _looks_like_credential(text: str) -> bool:
    """A token value is a credential when it has digits or is long, and no spaces."""
    value = text.strip()
    if any(c.isspace() for c in value):
        return False
    return len(value) >= _LONG_TOKEN or any(c.isdigit() for c in value)


def _is_raw_pattern(node: cst.BaseExpression) -> bool:
    """A raw string with backslashes is a regex or a Windows path (a lexer's ``*_token``)."""
    return (
        isinstance(node, cst.SimpleString) and "r" in node.prefix.lower() and "\\" in node.raw_value
    )


def _wrapped_default(call: cst.Call) -> cst.BaseExpression | None:
    """The default of ``Field("x")``/``Field(default="x")`` or the value of ``SecretStr("x")``."""
    name = dotted_name(call.func)
    if name is None or name.rsplit(".", 1)[-1] not in _WRAPPERS:
        return None
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
        if arg.keyword is not None and arg.keyword.value == "default":
            return arg.value
    return None


def _target_name(target: cst.BaseExpression) -> str | None:
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            return string_value(index.value)
    return None


def _is_environ(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Subscript) and dotted_name(target.value) in (
        "os.environ",
        "environ",
    )


def _enclosing_class(context: RuleContext) -> cst.ClassDef | None:
    """The class whose body directly holds the statement being visited."""
    ancestors = context.ancestors
    # Directly in the body: Statement → IndentedBlock → ClassDef, or
    # SimpleStatementSuite → ClassDef for `class A: X = 1`.
    for depth in (2, 3):
        if len(ancestors) >= depth:
            node = ancestors[-depth]
            if isinstance(node, cst.ClassDef):
                return node
    return None


def _base_names(node: cst.ClassDef) -> list[str]:
    names = []
    for arg in node.bases:
        name = dotted_name(arg.value)
        if name is not None:
            names.append(name.rsplit(".", 1)[-1])
    return names


def _in_example(ancestors: Sequence[cst.CSTNode]) -> bool:
    for node in ancestors:
        if isinstance(node, cst.Arg) and node.keyword is not None:
            if node.keyword.value in _EXAMPLE_KEYS:
                return True
        elif isinstance(node, cst.DictElement) and string_value(node.key) in _EXAMPLE_KEYS:
            return True
    return False


def _is_test_code(node: cst.FunctionDef | cst.ClassDef) -> bool:
    """Test functions, ``Test*`` classes and pytest fixtures, wherever they live."""
    name = node.name.value
    if isinstance(node, cst.ClassDef):
        return name.startswith("Test")
    if name.startswith("test_"):
        return True
    for decorator in node.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        dotted = dotted_name(target)
        if dotted is not None and dotted.rsplit(".", 1)[-1] == "fixture":
            return True
    return False


def _import_os(module: cst.Module, imports: dict[str, str]) -> list[Change] | None:
    """The edit that adds ``import os`` (none when present, None when ``os`` is taken)."""
    bound = imports.get("os")
    if bound == "os":
        return []
    if bound is not None:
        return None
    body = list(module.body)
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future_import(body[index]):
        index += 1
    if index >= len(body):
        return None
    anchor = body[index]
    text = "import os\n" if _is_import(anchor) else "import os\n\n"
    return [InsertBefore(anchor, text, whole_line=True)]


def _small_statements(statement: cst.BaseStatement) -> Sequence[cst.BaseSmallStatement]:
    return statement.body if isinstance(statement, cst.SimpleStatementLine) else ()


def _is_docstring(statement: cst.BaseStatement) -> bool:
    small = _small_statements(statement)
    return (
        len(small) == 1
        and isinstance(small[0], cst.Expr)
        and isinstance(small[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_future_import(statement: cst.BaseStatement) -> bool:
    small = _small_statements(statement)
    return any(
        isinstance(s, cst.ImportFrom) and dotted_name(s.module) == "__future__"  # type: ignore[arg-type]
        for s in small
    )


def _is_import(statement: cst.BaseStatement) -> bool:
    return any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in _small_statements(statement))


class HardcodedSecret(Rule):
    """Flags secrets written into the source."""

    code = "BP409"
    name = "hardcoded-secret"
    family = "auth"
    section = "Service Configuration & Secrets, Security Checklist"
    severity = Severity.ERROR
    message = "Hardcoded secret: read it from the environment or a secret manager"
    summary = (
        "A string literal given to a name that holds a secret — `SECRET_KEY`, `*_secret`, "
        "`password`, `*_password`, `api_key`, `client_secret`, `token`, `*_token`, "
        "`private_key` (any case, camelCase too) — in an assignment, an annotated "
        "assignment or class attribute (a pydantic `BaseSettings` field with a literal "
        "default), a keyword argument, a dict entry, a parameter default, or "
        '`Field("...")`/`SecretStr("...")` around it; a literal key passed to '
        "`jwt.encode()`/`jwt.decode()`; a literal fallback in "
        '`os.getenv("SECRET_KEY", "...")`.'
    )
    why = (
        "A secret in source code is in every clone, fork, backup and CI log, it is the same "
        "in every environment, and rotating it needs a code change. A literal fallback in "
        "`os.getenv()` is just as bad: when the variable is missing, production silently "
        "runs with the known value."
    )
    leaves_alone = (
        'Names whose last word is not a secret (`token_type = "bearer"`, `TOKEN_URL`, '
        '`password_field`, `password_min_length`, `OAuth2PasswordBearer(tokenUrl="token")`'
        "); empty and very short values (under 3 characters); templates and masks "
        '(`"${SECRET_KEY}"`, `"{{ secret }}"`, `"<your-key>"`, `"***"`); raw strings with '
        "backslashes (regexes); values that just repeat the name (`PASSWORD = "
        '"password"`: a label or a grant type), except in a keyword argument, where '
        '`password="password"` is what the call logs in with; values that say they are '
        'dummies (`"unused"`, `"dummy"`, `"placeholder"`, `"REDACTED"`); for `*token` '
        "names, values without a digit "
        'and under 16 characters (`upgrade_token = "upgrades"`: parser and sentinel '
        "tokens); `Enum` members; values read from the environment (`os.environ[...]`, "
        '`os.getenv("X", "")`); OpenAPI `example=`/`json_schema_extra` data; test files, '
        "test functions, `Test*` classes and pytest fixtures. Values that name a secret "
        'instead of holding it: an environment variable\'s name (`"SERPER_API_KEY"`, '
        '`"PGPASSWORD"`) or a dotted configuration key (`"web.search.serper_api_key"`), as '
        "in the tables that map settings to their sources. The name of an external "
        'authentication scheme stored as a marker (`{"username": name, "password": '
        '"LDAP"}`, also `SSO`, `SAML`, `OIDC`, `OAuth`, `Kerberos`, `external`): it is no '
        "secret, being the same in every deployment by design and granting nothing. "
        "Storing it in a password column is still against the standard, which keeps only "
        "hashes there (an externally authenticated user gets no password, or an unusable "
        "hash): that is BP407 (plaintext-password)'s concern, not this rule's. "
        'Placeholders such as `"changeme"` are flagged: if the environment does not '
        "override them they run in production."
    )
    fix_description = (
        'Replaces the literal with `os.environ["NAME"]` (NAME is the target\'s name in '
        "upper snake case, `SECRET_KEY` for a JWT key, the variable's name for an "
        "`os.getenv()` fallback) and adds `import os`; in a `BaseSettings` class it removes "
        "the default instead, so the field is required from the environment."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            'SECRET_KEY = "super-secret-key-123"\n',
            line=1,
            fixed='import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n',
        ),
        Example(
            "from pydantic_settings import BaseSettings\n"
            "\n"
            "\n"
            "class Settings(BaseSettings):\n"
            '    """Settings read from the environment."""\n'
            "\n"
            '    ALGORITHM: str = "HS256"\n'
            '    SECRET_KEY: str = "dev-secret"\n',
            line=8,
            fixed="from pydantic_settings import BaseSettings\n"
            "\n"
            "\n"
            "class Settings(BaseSettings):\n"
            '    """Settings read from the environment."""\n'
            "\n"
            '    ALGORITHM: str = "HS256"\n'
            "    SECRET_KEY: str\n",
        ),
        Example(
            "from jose import jwt\n"
            "\n"
            "\n"
            "def sign(claims: dict) -> str:\n"
            '    """Sign the claims."""\n'
            '    return jwt.encode(claims, "secret", algorithm="HS256")\n',
            line=6,
            fixed="import os\n"
            "from jose import jwt\n"
            "\n"
            "\n"
            "def sign(claims: dict) -> str:\n"
            '    """Sign the claims."""\n'
            '    return jwt.encode(claims, os.environ["SECRET_KEY"], algorithm="HS256")\n',
        ),
        Example(
            'OIDC_CLIENT = {"client_id": "web", "client_secret": "s3cr3t-value"}\n',
            line=1,
            fixed="import os\n"
            "\n"
            'OIDC_CLIENT = {"client_id": "web", "client_secret": os.environ["CLIENT_SECRET"]}\n',
        ),
    )
    good = (
        Example(
            "from fastapi.security import OAuth2PasswordBearer\n"
            "from pydantic_settings import BaseSettings\n"
            "\n"
            "\n"
            "class Settings(BaseSettings):\n"
            '    """Settings read from the environment."""\n'
            "\n"
            "    SECRET_KEY: str\n"
            '    ALGORITHM: str = "HS256"\n'
            "    ACCESS_TOKEN_EXPIRE_MINUTES: int = 30\n"
            '    TOKEN_TYPE: str = "bearer"\n'
            "\n"
            "\n"
            'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")\n'
        ),
    )

    def setup(self) -> None:
        """Start outside any test function or class."""
        self._test_scopes: list[bool] = []  # one entry per enclosing def/class
        self._test_depth = 0

    # ----------------------------------------------------------------- visitors

    def _enter(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        test = _is_test_code(node)
        self._test_scopes.append(test)
        self._test_depth += test

    def _leave(self) -> None:
        if self._test_scopes:
            self._test_depth -= self._test_scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Enter a function; in a test function or fixture, fake credentials are test data."""
        self._enter(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        """Leave a function."""
        self._leave()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Enter a class (``Test*`` classes hold test data)."""
        self._enter(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        """Leave a class."""
        self._leave()

    def _skip(self) -> bool:
        return self.context.is_test or self._test_depth > 0

    def visit_Assign(self, node: cst.Assign) -> None:
        """Check ``NAME = "literal"`` (also attributes and ``config["NAME"]``)."""
        for target in node.targets:
            self._check_target(node, target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Check ``NAME: str = "literal"`` (pydantic settings fields included)."""
        if node.value is not None:
            self._check_target(node, node.target, node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        """Check ``client_secret="literal"`` keyword arguments."""
        if node.keyword is not None:
            self._check_value(node.keyword.value, node.value, fixable=True, labels=False)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """Check ``{"password": "literal"}`` entries."""
        key = string_value(node.key)
        if key is not None:
            self._check_value(key, node.value, fixable=True)

    def visit_Param(self, node: cst.Param) -> None:
        """Check ``def connect(password: str = "literal")`` defaults."""
        if node.default is not None:
            self._check_value(node.name.value, node.default, fixable=False)

    def visit_Call(self, node: cst.Call) -> None:
        """Check JWT keys and ``os.getenv()`` fallbacks."""
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if last not in _CALL_NAMES or self._skip():
            return  # most calls: decided without resolving imports
        qualified = self.context.facts.qualify(func)
        if qualified is None:
            return
        head, _, last = qualified.rpartition(".")
        if last in _JWT_FUNCTIONS and head.rsplit(".", 1)[-1] == "jwt":
            self._check_jwt_key(node)
        elif qualified in _ENV_GETTERS or qualified == "getenv":
            self._check_env_default(node)

    # ----------------------------------------------------------------- checks

    def _check_target(
        self, statement: cst.Assign | cst.AnnAssign, target: cst.BaseExpression,
        value: cst.BaseExpression,
    ) -> None:  # fmt: skip
        name = _target_name(target)
        if name is None or not is_secret_name(name) or self._skip():
            return
        owner = _enclosing_class(self.context)
        bases = _base_names(owner) if owner is not None else []
        if any(base.endswith("Enum") for base in bases):
            return  # enum members are labels
        literal = _secret_literal(value, name)
        if literal is None or _in_example(self.context.ancestors):
            return
        settings = any(base.endswith("Settings") for base in bases)
        if isinstance(statement, cst.AnnAssign) and settings and literal is value:
            required = statement.with_changes(value=None, equal=cst.MaybeSentinel.DEFAULT)
            fix = self.fix("Make the setting required", Replace(statement, required))
            self.report(literal, self._message(name), fix=fix)
            return
        fix = None if _is_environ(target) else self._env_fix(literal, env_name(name))
        self.report(literal, self._message(name), fix=fix)

    def _check_value(
        self, name: str, value: cst.BaseExpression, *, fixable: bool, labels: bool = True
    ) -> None:
        if self._skip() or not is_secret_name(name):
            return
        literal = _secret_literal(value, name, labels)
        if literal is None or _in_example(self.context.ancestors):
            return
        fix = self._env_fix(literal, env_name(name)) if fixable else None
        self.report(literal, self._message(name), fix=fix)

    def _check_jwt_key(self, node: cst.Call) -> None:
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        key = positional[1].value if len(positional) >= 2 else None
        for arg in node.args:
            # `key=` is not a secret's name, so visit_Arg leaves it to this check.
            if arg.keyword is not None and arg.keyword.value == "key":
                key = arg.value
        if key is None:
            return
        literal = _secret_literal(key, "key")
        if literal is not None:
            self.report(
                literal,
                "Hardcoded JWT signing key: read it from settings or the environment",
                fix=self._env_fix(literal, "SECRET_KEY"),
            )

    def _check_env_default(self, node: cst.Call) -> None:
        if len(node.args) < 2 or node.args[0].keyword is not None:
            return
        variable = string_value(node.args[0].value)
        if variable is None or not is_secret_name(variable):
            return
        literal = _secret_literal(node.args[1].value, variable)
        if literal is None:
            return
        message = (
            f"Hardcoded fallback for secret `{variable}`: production runs with it when the "
            "variable is missing"
        )
        self.report(literal, message, fix=self._env_fix(node, variable))

    # ----------------------------------------------------------------- fixes

    def _message(self, name: str) -> str:
        return f"Hardcoded secret in `{name}`: read it from the environment or a secret manager"

    def _env_fix(self, literal: cst.BaseExpression, variable: str) -> FixSpec | None:
        imports = _import_os(self.context.module, self.context.facts.imports)
        if imports is None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
            return None
        return self.fix(
            f'Read it from `os.environ["{variable}"]`',
            Replace(literal, f'os.environ["{variable}"]'),
            *imports,
        )
