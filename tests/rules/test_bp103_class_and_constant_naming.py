"""BP103 class-and-constant-naming: classes, module constants, and what is left alone."""

from __future__ import annotations

import textwrap

import pytest

from precepts.rules.python.bp103_class_and_constant_naming import cap_words, upper_snake
from tests.helpers import check


def run(source: str):
    result = check(textwrap.dedent(source), select=["BP103"])
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def messages(source: str) -> list[str]:
    return [f.message for f in run(source)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("user_profile", "UserProfile"),
        ("userProfile", "UserProfile"),
        ("HTTP_client", "HTTPClient"),
        ("_http_client", "_HttpClient"),
    ],
)
def test_cap_words(name: str, expected: str):
    assert cap_words(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("maxRetries", "MAX_RETRIES"),
        ("Max_Size", "MAX_SIZE"),
        ("SPECIAL_IPv4_RANGES", "SPECIAL_IPV4_RANGES"),
        ("apiURL", "API_URL"),
        ("_defaultTimeout", "_DEFAULT_TIMEOUT"),
    ],
)
def test_upper_snake(name: str, expected: str):
    assert upper_snake(name) == expected


def test_classes_not_in_cap_words_anywhere():
    source = """
    class user_profile:
        pass

    class User_Profile:
        pass

    class UserProfile:
        pass

    class _PrivateBase:
        pass

    class HTTPClient:
        pass

    def build():
        class local_thing:
            pass
    """
    assert messages(source) == [
        "Class name `user_profile` is not CapWords: use `UserProfile`",
        "Class name `User_Profile` is not CapWords: use `UserProfile`",
        "Class name `local_thing` is not CapWords: use `LocalThing`",
    ]


def test_finding_sits_on_the_class_name():
    [finding] = run("\n\nclass user_profile:\n    pass\n")
    start, end = finding.range.start, finding.range.end
    assert (start.line, start.column, end.column) == (2, 6, 18)


def test_mixed_case_constants_assigned_once_with_a_literal():
    source = """
    maxRetries = 3
    Max_Size: int = 10
    defaultTags = ("a", "b")
    retryDelay = -1.5
    oneHour = 60 * 60
    Greeting = f"hello"
    Limits = {"low": 1, "high": [2, 3]}
    """
    assert messages(source) == [
        "Module constant `maxRetries` is in mixed case: use `MAX_RETRIES`",
        "Module constant `Max_Size` is in mixed case: use `MAX_SIZE`",
        "Module constant `defaultTags` is in mixed case: use `DEFAULT_TAGS`",
        "Module constant `retryDelay` is in mixed case: use `RETRY_DELAY`",
        "Module constant `oneHour` is in mixed case: use `ONE_HOUR`",
        "Module constant `Greeting` is in mixed case: use `GREETING`",
        "Module constant `Limits` is in mixed case: use `LIMITS`",
    ]


def test_finding_sits_on_the_target():
    [finding] = run("import os\n\nx = 1\nmaxRetries = 3\n")
    assert (finding.range.start.line, finding.range.start.column) == (3, 0)
    assert finding.range.end.column == len("maxRetries")


def test_leaves_alone_aliases_dunders_and_conventional_names():
    source = """
    from typing import Any, TypeAlias

    __all__ = ["MAX_RETRIES"]
    __version__ = "1.0"
    MAX_RETRIES = 3
    default_timeout = 10
    UserId = int
    Json = dict[str, Any]
    Handler: TypeAlias = "Callable[[int], None]"
    Base = declarative_base()
    logHandler = logging.StreamHandler()
    """
    assert messages(source) == []


def test_names_bound_more_than_once_are_not_constants():
    source = """
    maxRetries = 3
    maxRetries = 5

    pageSize = 10
    pageSize += 1

    cacheSize = 1

    def grow():
        global cacheSize
        cacheSize = 2

    try:
        import fast_json as jsonLib
        hasFast = True
    except ImportError:
        hasFast = False

    for loopVar in range(3):
        pass
    loopVar = 0
    """
    assert messages(source) == []


def test_class_attributes_and_locals_are_out_of_scope():
    source = """
    class Config:
        maxRetries = 3

    def run():
        pageSize = 10
        return pageSize
    """
    assert messages(source) == []


def test_module_level_if_blocks_count():
    source = """
    import sys

    if sys.platform == "win32":
        lineEnd = "\\r\\n"
    else:
        lineEnd = "\\n"

    if sys.version_info >= (3, 12):
        newFeature = True
    """
    assert messages(source) == ["Module constant `newFeature` is in mixed case: use `NEW_FEATURE`"]


def test_a_stand_in_for_a_missing_optional_import_is_not_a_constant():
    code = "try:\n    from pyln import RpcError\nexcept ImportError:\n    LightningRpc = None\n"
    assert check(code, select=["BP103"]).findings == []
    other = "try:\n    import x\nexcept ValueError:\n    LightningRpc = None\n"
    assert len(check(other, select=["BP103"]).findings) == 1
