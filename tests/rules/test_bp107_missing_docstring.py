"""BP107 missing-docstring: what needs a docstring, what does not, and the skeleton fix."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check, fix_all

MODULE_OFF = {"BP107": {"module-docstring": False}}


def run(source: str, path: str = "app/example.py", module: bool = False):
    options = {} if module else MODULE_OFF
    result = check(textwrap.dedent(source), path=path, select=["BP107"], options=options)
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def messages(source: str, path: str = "app/example.py", module: bool = False) -> list[str]:
    return [f.message for f in run(source, path, module)]


def fixed(source: str, path: str = "app/example.py", module: bool = False) -> str:
    source = textwrap.dedent(source)
    text = fix_all(source, run(source, path, module))
    after = check(text, path=path, select=["BP107", "BP108"], options={} if module else MODULE_OFF)
    assert not after.findings, [f.message for f in after.findings]
    return text


def test_public_definitions_are_flagged():
    source = """\
    def load_user(user_id: int) -> dict:
        return {}

    class UserService:
        def find(self, name: str) -> None:
            pass

        class Inner:
            pass
    """
    assert messages(source) == [
        "Missing docstring in public function `load_user`",
        "Missing docstring in public class `UserService`",
        "Missing docstring in public method `find`",
        "Missing docstring in public class `Inner`",
    ]


def test_leaves_alone():
    source = """\
    from typing import overload, override

    def _helper(x: int) -> int:
        return x

    class _Private:
        def method(self) -> None:
            pass

        class Nested:
            def deep(self) -> None:
                pass

    class Model:
        \"\"\"A model.\"\"\"

        def __init__(self) -> None:
            self.ready = True

        def __repr__(self) -> str:
            return "Model()"

        @property
        def size(self) -> int:
            \"\"\"The size.\"\"\"
            return 1

        @size.setter
        def size(self, value: int) -> None:
            pass

        @override
        def save(self) -> None:
            pass

        @overload
        def get(self, key: int) -> int: ...

        class Config:
            orm_mode = True

    def outer() -> None:
        \"\"\"Outer.\"\"\"

        def inner() -> None:
            pass

        class Local:
            pass
    """
    assert messages(source) == []


@pytest.mark.parametrize("section", ["Args", "Attributes"])
def test_init_documented_by_the_class(section: str):
    source = f"""\
    class Account:
        \"\"\"An account.

        {section}:
            owner: Who holds it.
        \"\"\"

        def __init__(self, owner: str) -> None:
            self.owner = owner
    """
    assert messages(source) == []


def test_init_with_arguments_needs_a_docstring():
    source = """\
    class Account:
        \"\"\"An account.\"\"\"

        def __init__(self, owner: str) -> None:
            self.owner = owner
    """
    assert messages(source) == ["Missing docstring in public method `__init__`"]
    assert '"""Initialize the account.' in fixed(source)


def test_test_files_are_left_alone():
    source = "def test_it() -> None:\n    pass\n\nclass TestIt:\n    pass\n"
    assert run(source, path="tests/test_it.py", module=True) == []


def test_skeleton_lists_args_returns_and_raises():
    source = """\
    class Repo:
        \"\"\"Users.\"\"\"

        def get_user(self, user_id: int, *fields: str, **options: str) -> dict:
            # look it up
            if user_id < 0:
                raise ValueError("user ids are positive")
            try:
                raise KeyError(user_id)
            except LookupError:
                pass
            raise errors.NotFound(f"{user_id}")
            return {}
    """
    assert fixed(source).split("        # look it up")[0] == textwrap.dedent(
        """\
        class Repo:
            \"\"\"Users.\"\"\"

            def get_user(self, user_id: int, *fields: str, **options: str) -> dict:
                \"\"\"Get user.

                Args:
                    user_id: The user id.
                    *fields: Extra positional arguments.
                    **options: Extra keyword arguments.

                Returns:
                    The user.

                Raises:
                    ValueError: User ids are positive.
                    errors.NotFound: If the operation fails.
                \"\"\"
                """
    )


def test_generators_get_yields_and_stubs_get_returns():
    assert "Yields:" in fixed("def items(n: int):\n    yield n\n")
    stub = fixed(
        "import abc\nclass Base:\n    '''Base.'''\n\n    @abc.abstractmethod\n"
        "    def size(self) -> int:\n        raise NotImplementedError\n"
    )
    assert "Returns:" in stub and "Raises:" not in stub


def test_one_line_bodies_become_blocks():
    assert fixed("def ping() -> None: pass\n") == (
        'def ping() -> None:\n    """Ping."""\n    pass\n'
    )
    assert fixed("class Empty: pass\n") == 'class Empty:\n    """Empty."""\n\n    pass\n'


def test_module_docstring():
    assert messages("import os\n", module=True) == ["Missing docstring in public module"]
    assert fixed("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\n", module=True) == (
        '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""Example."""\n\nimport os\n'
    )
    assert fixed("\nimport os\n", path="app/user_service.py", module=True) == (
        '"""User service."""\n\nimport os\n'
    )
    assert fixed("import os\n", path="app/billing/__init__.py", module=True).startswith(
        '"""Billing package."""'
    )


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("", "app/__init__.py"),
        ("# only a comment\n", "app/__init__.py"),
        ("import os\n", "app/_private.py"),
        ('"""Documented."""\nimport os\n', "app/example.py"),
        ("import os\n", "tests/test_x.py"),
    ],
)
def test_modules_left_alone(source: str, path: str):
    assert run(source, path=path, module=True) == []


def test_module_check_can_be_switched_off():
    assert run("import os\n", module=False) == []
