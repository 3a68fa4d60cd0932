"""BP102 function-naming: what is flagged, what is left alone, and the rename fix."""

from __future__ import annotations

import textwrap

import pytest

from precepts.findings import Applicability
from precepts.rules.python.bp102_function_naming import snake_case
from tests.helpers import check, fix_all


def run(source: str, **options):
    result = check(
        textwrap.dedent(source), select=["BP102"], options={"BP102": options} if options else None
    )
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def messages(source: str, **options) -> list[str]:
    return [f.message for f in run(source, **options)]


def fixed(source: str) -> str:
    source = textwrap.dedent(source)
    return fix_all(source, run(source))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("userId", "user_id"),
        ("processUserData", "process_user_data"),
        ("getHTTPResponse", "get_http_response"),
        ("userID", "user_id"),
        ("_privateThing", "_private_thing"),
        ("__mangledName", "__mangled_name"),
        ("item2Name", "item2_name"),
        ("user_Id", "user_id"),
        ("X", "x"),
    ],
)
def test_snake_case(name: str, expected: str):
    assert snake_case(name) == expected


def test_flags_functions_methods_and_arguments():
    source = """
    def processUserData(userId, *extraArgs, includeHistory=False, **moreOptions):
        pass

    class Service:
        def getUser(self, userName):
            pass

    async def fetchAll():
        pass
    """
    assert messages(source) == [
        "Function name `processUserData` is not snake_case: use `process_user_data`",
        "Argument `userId` of `processUserData` is not snake_case: use `user_id`",
        "Argument `extraArgs` of `processUserData` is not snake_case: use `extra_args`",
        "Argument `includeHistory` of `processUserData` is not snake_case: use `include_history`",
        "Argument `moreOptions` of `processUserData` is not snake_case: use `more_options`",
        "Method name `getUser` is not snake_case: use `get_user`",
        "Argument `userName` of `getUser` is not snake_case: use `user_name`",
        "Function name `fetchAll` is not snake_case: use `fetch_all`",
    ]


def test_finding_sits_on_the_name():
    [name, arg] = run("def getUser(userId):\n    pass\n")
    assert (name.range.start.column, name.range.end.column) == (4, 11)
    assert (arg.range.start.column, arg.range.end.column) == (12, 18)


def test_leaves_alone_snake_private_and_dunder_names():
    source = """
    def process_user_data(user_id, _hidden, *args, **kwargs):
        pass

    def _private_helper(x, y2):
        pass

    class Model:
        def __init__(self, name):
            pass

        def __eq__(self, other):
            pass
    """
    assert messages(source) == []


def test_private_camel_case_is_still_flagged():
    assert messages("def _privateHelper():\n    pass\n") == [
        "Function name `_privateHelper` is not snake_case: use `_private_helper`"
    ]


def test_unittest_names_are_left_alone():
    source = """
    import unittest

    def setUpModule():
        pass

    class UserTest(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            pass

        def setUp(self):
            pass

        def tearDown(self):
            pass

        def testCamel(self):
            pass
    """
    assert messages(source) == ["Method name `testCamel` is not snake_case: use `test_camel`"]


def test_visitor_methods_of_imported_bases_are_left_alone():
    source = """
    import ast
    import libcst as cst
    from http.server import BaseHTTPRequestHandler
    from precepts.rule import Rule

    class Finder(ast.NodeVisitor):
        def visit_Name(self, node):
            pass

        def visit_ImportFrom(self, node):
            pass

    class Checker(Rule):
        def visit_FunctionDef(self, node):
            pass

        def leave_FunctionDef(self, node):
            pass

    class Attrs(cst.CSTVisitor):
        def visit_Call_func(self, node):
            pass

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            pass

    class Deeper(Finder):
        def visit_Call(self, node):
            pass
    """
    assert messages(source) == []


def test_visitor_names_without_an_imported_base_are_flagged():
    source = """
    class Walker:
        def visit_Name(self, node):
            pass

    class Sub(Walker):
        def leave_Name(self, node):
            pass

    def visit_Call(node):
        pass
    """
    assert messages(source) == [
        "Method name `visit_Name` is not snake_case: use `visit_name`",
        "Method name `leave_Name` is not snake_case: use `leave_name`",
        "Function name `visit_Call` is not snake_case: use `visit_call`",
    ]


def test_stdlib_camel_case_hooks_are_left_alone():
    source = """
    import logging

    class JsonFormatter(logging.Formatter):
        def formatTime(self, record, datefmt=None):
            pass

    class Quiet(logging.Handler):
        def handleError(self, record):
            pass
    """
    assert messages(source) == []


def test_override_and_its_arguments_are_left_alone():
    source = """
    from typing import override
    import typing_extensions

    class Base:
        pass

    class Child(Base):
        @override
        def fetchAll(self, pageSize):
            pass

        @typing_extensions.override
        def countAll(self, pageSize):
            pass
    """
    assert messages(source) == []


def test_ignore_names_option():
    source = """
    class Widget:
        def paintEvent(self, event):
            pass

        def mousePressEvent(self, event):
            pass
    """
    assert len(messages(source)) == 2
    assert messages(source, **{"ignore-names": ["*Event"]}) == []


def test_lambda_arguments_are_left_alone():
    assert messages("def f():\n    return lambda userId: userId\n") == []


# ---------------------------------------------------------------- the fix


def test_argument_rename_reaches_every_use_but_not_attributes_or_keywords():
    source = """
    def _find(users, userId):
        for user in users:
            if user.userId == userId:
                return describe(user, owner=userId, text=f"{userId}")
        helper = lambda: userId
        return [userId for userId in users]
    """
    assert fixed(source) == textwrap.dedent(
        """
        def _find(users, user_id):
            for user in users:
                if user.userId == user_id:
                    return describe(user, owner=user_id, text=f"{user_id}")
            helper = lambda: user_id
            return [user_id for user_id in users]
        """
    )


def test_fix_is_safe_for_private_and_nested_functions_unsafe_for_public_ones():
    source = """
    def _private(userId):
        return userId

    def public(userId):
        def nested(pageSize):
            return pageSize
        return nested(userId)

    class Service:
        def get(self, userId):
            return userId
    """
    found = {(f.range.start.line, f.message.split("`")[3]): f for f in run(source)}
    safety = {key: f.fix.applicability for key, f in found.items() if f.fix}
    assert safety == {
        (1, "_private"): Applicability.SAFE,
        (4, "public"): Applicability.UNSAFE,
        (5, "nested"): Applicability.SAFE,
        (10, "get"): Applicability.UNSAFE,
    }


def test_no_fix_when_the_argument_is_passed_by_keyword_in_the_file():
    source = """
    def fetch(userId):
        return userId

    fetch(userId=3)
    """
    [finding] = run(source)
    assert finding.fix is None


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("def f(userId, user_id):\n    return userId\n", id="new-name-is-a-param"),
        pytest.param("def f(userId):\n    user_id = 1\n    return userId\n", id="new-name-used"),
        pytest.param("def f(userId, userID):\n    return userId\n", id="two-args-same-new-name"),
        pytest.param("def f(userId):\n    import userId\n", id="imported"),
        pytest.param("def f(userId):\n    def g():\n        global userId\n", id="global"),
        pytest.param(
            "def f(userId):\n    class C:\n        userId = userId\n", id="class-attribute"
        ),
        pytest.param("def f(Class):\n    return Class\n", id="keyword"),
    ],
)
def test_no_fix_when_renaming_could_change_behaviour(source: str):
    assert all(f.fix is None for f in run(source) if f.message.startswith("Argument"))


def test_nested_function_is_renamed_in_the_enclosing_function():
    source = """
    def total(prices):
        def withTax(price):
            return price * 1.2
        return sum(map(withTax, prices)), withTax.__name__
    """
    [finding] = run(source)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert fixed(source) == textwrap.dedent(
        """
        def total(prices):
            def with_tax(price):
                return price * 1.2
            return sum(map(with_tax, prices)), with_tax.__name__
        """
    )


def test_top_level_functions_and_methods_are_not_renamed():
    source = """
    def getUser():
        pass

    class Service:
        def getUser(self):
            pass
    """
    assert [f.fix for f in run(source)] == [None, None]


def test_fix_renames_the_google_docstring_entry_too():
    source = '''
    def _lookup(userId: int, *extraIds: int) -> int:
        """Find a user.

        Args:
            userId (int): The user's id; userIdx is something else.
            *extraIds: More ids.

        Returns:
            The userId.
        """
        return userId
    '''
    assert fixed(source) == textwrap.dedent(
        '''
        def _lookup(user_id: int, *extra_ids: int) -> int:
            """Find a user.

            Args:
                user_id (int): The user's id; userIdx is something else.
                *extra_ids: More ids.

            Returns:
                The userId.
            """
            return user_id
        '''
    )


def test_new_name_as_attribute_or_keyword_does_not_block_the_fix():
    source = """
    def _same(user, userId):
        return user.user_id == userId and check(user_id=userId)
    """
    assert fixed(source) == textwrap.dedent(
        """
        def _same(user, user_id):
            return user.user_id == user_id and check(user_id=user_id)
        """
    )
