"""BP409 hardcoded-secret: what it flags, what it leaves alone, and its fix."""

from __future__ import annotations

import pytest

from precepts.rules.auth.bp409_hardcoded_secret import env_name, is_secret_name
from tests.helpers import check, codes, fix_all


def _bp409(code: str, path: str = "app/config.py") -> list[int]:
    result = check(code, path=path, select=["BP409"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    "name",
    ["SECRET_KEY", "secret", "jwt_secret", "client_secret", "password", "DB_PASSWORD",
     "passwd", "api_key", "apiKey", "STRIPE_API_KEY", "token", "GITHUB_TOKEN", "accessToken",
     "private_key", "AWS_SECRET_ACCESS_KEY", "signing-key", "apikey"],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["token_type", "TOKEN_URL", "tokenUrl", "password_field", "password_min_length",
     "ACCESS_TOKEN_EXPIRE_MINUTES", "secret_name", "API_KEY_HEADER", "key", "cache_key",
     "primary_key", "max_tokens", "password_hash_scheme", "TOKEN_ALGORITHM", "tokens"],
)  # fmt: skip
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_env_name() -> None:
    assert env_name("apiKey") == "API_KEY"
    assert env_name("client-secret") == "CLIENT_SECRET"
    assert env_name("SECRET_KEY") == "SECRET_KEY"


@pytest.mark.parametrize(
    "code",
    [
        'SECRET_KEY = "super-secret"\n',
        'SECRET_KEY = b"super-secret"\n',
        'SECRET_KEY = "changeme"\n',
        'apiKey = "abc123"\n',
        'GITHUB_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"\n',
        'access_token = "abc123"\n',
        'REFRESH_TOKEN = "eyJhbGciOiJIUzI1NiJ9"\n',
        'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI"\n',
        'DB_PASSWORD: str = "pw123"\n',
        'app.config["SECRET_KEY"] = "dev"\n',
        'os.environ["API_KEY"] = "abc"\n',
        'client = Client(client_secret="hardcoded_secret")\n',
        'CONFIG = {"password": "hunter2"}\n',
        'SECRET_KEY = "abc" "def"\n',
        'SECRET_KEY = f"abc"\n',
        "def connect(password: str = 'admin') -> None:\n    pass\n",
        "class Client:\n    def __init__(self) -> None:\n        self.api_key = 'abc'\n",
        "class Settings(BaseSettings):\n    SECRET_KEY: str = Field('dev', env='SECRET_KEY')\n",
        "class Settings(BaseSettings):\n    SECRET_KEY: SecretStr = SecretStr('dev')\n",
        "class Settings(BaseSettings):\n    SECRET_KEY: str = Field(default='dev')\n",
        'import jwt\ntoken = jwt.encode(claims, "secret")\n',
        'from jose import jwt\nclaims = jwt.decode(token, key="secret", algorithms=["HS256"])\n',
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")\n',
        'import os\nKEY = os.environ.get("API_KEY", "abc")\n',
    ],
)
def test_flags(code: str) -> None:
    assert _bp409(code)


@pytest.mark.parametrize(
    "code",
    [
        'SECRET_KEY = ""\n',
        'SECRET_KEY = "   "\n',
        'SECRET_KEY = os.environ["SECRET_KEY"]\n',
        'SECRET_KEY = os.getenv("SECRET_KEY", "")\n',
        'SECRET_KEY = os.getenv("SECRET_KEY")\n',
        "SECRET_KEY = settings.SECRET_KEY\n",
        'SECRET_KEY = f"{prefix}-key"\n',
        'SECRET_KEY = "${SECRET_KEY}"\n',
        'SECRET_KEY = "{{ secret_key }}"\n',
        'API_KEY = "<your-api-key>"\n',
        'PASSWORD_MASK = "***"\npassword = "********"\n',
        'token_type = "bearer"\n',
        'EMOJI = {"secret": "㊙", "password": "pw"}\n',
        "jsonnet_token = r'[^\\W\\d]\\w*'\n",
        'masked_password = ":****"\n',
        'upgrade_token = "upgrades"\n_DEFAULT_TOKEN = "_sa_default"\n',
        'default_metavalue_token = "DEFAULT"\nEND_TOKEN = "end of input"\n',
        'TOKEN_URL = "https://auth.example.com/token"\n',
        'password_field = "password"\n',
        'password_min_length = "8"\n',
        'PASSWORD = "password"\nTOKEN = "token"\n',
        "ACCESS_TOKEN_EXPIRE_MINUTES = 30\n",
        'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")\n',
        'data = {"grant_type": "password", "token_type": "bearer"}\n',
        'headers = {"password": password}\n',
        "class GrantType(str, Enum):\n    PASSWORD = 'pw'\n    CLIENT_SECRET = 'cs'\n",
        "class Tokens(StrEnum):\n    ACCESS_TOKEN = 'access'\n",
        'token = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")\n',
        "class Login(BaseModel):\n"
        "    model_config = {'json_schema_extra': {'example': {'password': 'S3cret!'}}}\n",
        "password: str = Field(..., min_length=8, example='S3cret!')\n",
        "def test_login(client):\n    client.post('/login', json={'password': 'SecurePass123'})\n",
        "class TestLogin:\n    password = 'SecurePass123'\n",
        "@pytest.fixture\ndef user():\n    return User(password='SecurePass123')\n",
    ],
)
def test_leaves_alone(code: str) -> None:
    assert _bp409(code) == []


def test_test_files_are_left_alone() -> None:
    assert _bp409('SECRET_KEY = "dev"\n', path="tests/test_auth.py") == []
    assert _bp409('SECRET_KEY = "dev"\n', path="app/conftest.py") == []


def _fixed(code: str) -> str:
    result = check(code, path="app/config.py", select=["BP409"])
    return fix_all(code, result.findings)


def test_fix_adds_import_after_docstring_and_future_imports() -> None:
    code = '"""Config."""\n\nfrom __future__ import annotations\n\nSECRET_KEY = "dev"\n'
    assert _fixed(code) == (
        '"""Config."""\n\nfrom __future__ import annotations\n\nimport os\n\n'
        'SECRET_KEY = os.environ["SECRET_KEY"]\n'
    )


def test_fix_puts_the_import_first_in_the_import_block() -> None:
    code = 'from fastapi import FastAPI\n\nauth = Auth(client_secret="abc")\n'
    assert _fixed(code) == (
        "import os\nfrom fastapi import FastAPI\n\n"
        'auth = Auth(client_secret=os.environ["CLIENT_SECRET"])\n'
    )


def test_fix_reuses_an_existing_import() -> None:
    code = 'import os\n\nSECRET_KEY = "dev"\n'
    assert _fixed(code) == 'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'


def test_fix_of_a_getenv_fallback_reads_the_variable() -> None:
    code = 'import os\n\nSECRET_KEY = os.getenv("JWT_SECRET", "dev")\n'
    assert _fixed(code) == 'import os\n\nSECRET_KEY = os.environ["JWT_SECRET"]\n'


def test_fix_in_a_settings_class_makes_the_field_required() -> None:
    code = "class Settings(BaseSettings):\n    SECRET_KEY: str = 'dev'  # the key\n"
    assert _fixed(code) == "class Settings(BaseSettings):\n    SECRET_KEY: str  # the key\n"


def test_no_fix_when_os_is_another_name_or_for_defaults() -> None:
    for code in (
        'from app import os\nSECRET_KEY = "dev"\n',
        "def connect(password: str = 'admin') -> None:\n    pass\n",
        'import os\nos.environ["API_KEY"] = "abc"\n',
    ):
        result = check(code, path="app/config.py", select=["BP409"])
        assert codes(result) == ["BP409"]
        assert result.findings[0].fix is None


def test_fix_is_idempotent() -> None:
    code = 'SECRET_KEY = "dev"\n'
    once = _fixed(code)
    assert _fixed(once) == once
    assert _bp409(once) == []


@pytest.mark.parametrize(
    "code",
    [
        # environment variable names and configuration keys: names of secrets
        "SOURCES = {'rag.web.search.serper_api_key': 'SERPER_API_KEY'}\n",
        "CONFIG = {'password': 'PGPASSWORD'}\n",
        "KEYS = {'OPENAI_API_KEY': 'audio.stt.openai.api_key'}\n",
        "FIELDS = {'app_dn_password': 'ldap.server.app_password'}\n",
        "ANALYTICS_API_KEY = 'YOUR_ANALYTICS_API_KEY_HERE'\n",
        # the marker of an externally authenticated user
        "def row(name):\n    return {'username': name, 'password': 'LDAP'}\n",
        "def row(name):\n    return User(name=name, password='sso')\n",
    ],
)
def test_values_that_name_a_secret_or_mark_an_auth_scheme(code: str) -> None:
    assert _bp409(code) == []


@pytest.mark.parametrize(
    "code",
    [
        "CONFIG = {'password': 'Hunter2'}\n",  # mixed case: a password
        "CONFIG = {'password': 'ADMIN'}\n",  # a real default password, not a scheme's name
        "DB = {'password': 'example.com'}\n",  # a dotted value whose last part names no secret
        "API_KEY = 'AKIAABCDEFGH12345678'\n",  # upper case without underscores: a key
        "def row(name):\n    return {'username': name, 'password': 'ldap-admin-2024'}\n",
    ],
)
def test_real_values_next_to_those_patterns_are_still_flagged(code: str) -> None:
    assert _bp409(code) == [1 if code.count("\n") == 1 else 2]


def test_a_keyword_argument_that_repeats_its_name_is_a_credential() -> None:
    code = "conn = Connection(login='user', password='password')\n"
    assert _bp409(code) == [1]
    assert _bp409("PASSWORD = 'password'\n") == []  # a label
    assert _bp409("FIELDS = {'password': 'password'}\n") == []  # a field map


@pytest.mark.parametrize("value", ["unused", "dummy", "REDACTED", "placeholder"])
def test_values_that_say_they_are_dummies(value: str) -> None:
    assert _bp409(f"client_kwargs['api_key'] = '{value}'\n") == []
