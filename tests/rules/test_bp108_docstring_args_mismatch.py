"""BP108 docstring-args-mismatch: sections against signatures and bodies, and the fix."""

from __future__ import annotations

import textwrap

from precepts.rules.python._google_docstrings import parse_docstring, words_of
from tests.helpers import check, fix_all


def run(source: str):
    result = check(textwrap.dedent(source), select=["BP108"])
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def messages(source: str) -> list[str]:
    return [f.message for f in run(source)]


def fixed(source: str) -> str:
    source = textwrap.dedent(source)
    text = fix_all(source, run(source))
    assert not [f for f in run(text) if f.fix], "the fix must clear what it can in one run"
    return text


def test_summary_only_docstrings_are_accepted():
    source = '''\
    def find(users: dict, user_id: int) -> str:
        """Find a user."""
        if user_id not in users:
            raise KeyError(user_id)
        return users[user_id]
    '''
    assert run(source) == []


def test_missing_parameter_return_and_raise():
    source = '''\
    def find(users: dict, user_id: int) -> str:
        """Find a user.

        Args:
            users: Names by id.
        """
        if user_id not in users:
            raise KeyError("unknown user")
        return users[user_id]
    '''
    assert messages(source) == [
        "The docstring of `find` does not document parameter `user_id` (Args); "
        "the return value (Returns); exception `KeyError` (Raises)"
    ]
    assert fixed(source) == textwrap.dedent(
        '''\
        def find(users: dict, user_id: int) -> str:
            """Find a user.

            Args:
                users: Names by id.
                user_id: The user id.

            Returns:
                The result.

            Raises:
                KeyError: Unknown user.
            """
            if user_id not in users:
                raise KeyError("unknown user")
            return users[user_id]
        '''
    )


def test_unknown_parameter_is_reported_on_its_line_without_fix():
    source = '''\
    def total(prices: list) -> None:
        """Add up.

        Args:
            prices: The prices.
            items: Gone.
        """
    '''
    findings = run(source)
    assert [(f.message, f.range.start.line, f.fix) for f in findings] == [
        ("The docstring of `total` documents `items`, which is not a parameter", 5, None)
    ]


def test_new_sections_keep_google_order_and_quote_style():
    source = """\
    def load(path: str) -> bytes:
        r'''Load a file.

        Raises:
            OSError: When unreadable.
        '''
        return open(path, "rb").read()
    """
    assert fixed(source) == textwrap.dedent(
        """\
        def load(path: str) -> bytes:
            r'''Load a file.

            Args:
                path: The path.

            Returns:
                The result.

            Raises:
                OSError: When unreadable.
            '''
            return open(path, "rb").read()
        """
    )


def test_closing_quotes_on_the_last_line():
    source = '''\
    def f(a: int, b: int) -> None:
        """Do it.

        Args:
            a: A."""
    '''
    assert fixed(source).endswith('        a: A.\n        b: The b."""\n')


def test_leaves_alone():
    source = '''\
    class Account:
        """An account.

        Args:
            owner: Who holds it.
        """

        def __init__(self, owner: str) -> None:
            """Open it.

            Raises:
                ValueError: Never, really.
            """
            self.owner = owner

        @property
        def name(self) -> str:
            """The name.

            Raises:
                KeyError: Not raised here, but documented: accepted.
            """
            return self.owner

    def rows(query: str, *args: object, **kwargs: object):
        """Stream rows.

        Args:
            query: The SQL.
            args: Its parameters.
            timeout: Accepted through kwargs.

        Keyword Args:
            retries: How often to retry.
            kwargs: The rest.

        Yields:
            Each row.
        """
        try:
            raise ValueError("caught below")
        except (TypeError, ValueError):
            pass

        def helper() -> int:
            raise RuntimeError("nested functions do not count")
            return 1

        yield query

    def rethrow(work: object) -> None:
        """Run work.

        Args:
            work: The work.
        """
        try:
            work()
        except Exception as error:
            raise error

    def stub(self_like: int) -> int:
        """Stub.

        Args:
            self_like: A value.

        Returns:
            A value.
        """
        raise NotImplementedError
    '''
    assert messages(source) == []


def test_class_args_are_checked_against_init():
    source = '''\
    class Account:
        """An account.

        Args:
            owner: Who holds it.
            bank: Gone.
        """

        def __init__(self, owner: str, number: int) -> None:
            self.owner = owner
    '''
    assert messages(source) == [
        "The docstring of `Account` does not document parameter `number` (Args)",
        "The docstring of `Account` documents `bank`, which is not a parameter",
    ]


def test_generators_need_yields():
    source = '''\
    def items(n: int):
        """Count.

        Args:
            n: How many.
        """
        yield n
    '''
    assert messages(source) == [
        "The docstring of `items` does not document the yielded values (Yields)"
    ]
    assert "    Yields:\n        The items, one at a time.\n" in fixed(source)


def test_parse_docstring_sections():
    import libcst as cst

    node = cst.parse_expression(
        '"""Summary.\n\n    Args:\n        a (int): A.\n            More.\n        *rest: R.\n\n'
        "    Example:\n        >>> f(1)\n\n"
        '    Raises:\n        ValueError, TypeError: Bad.\n    """'
    )
    docstring = parse_docstring(node)
    assert docstring is not None
    assert [(s.title, s.kind) for s in docstring.sections] == [
        ("Args", "args"),
        ("Example", "other"),
        ("Raises", "raises"),
    ]
    assert [name for name, _ in docstring.names("args")] == ["a", "*rest"]
    assert [name for name, _ in docstring.names("raises")] == ["ValueError", "TypeError"]


def test_words_of():
    assert words_of("process_user_data") == ["process", "user", "data"]
    assert words_of("HTTPClient") == ["HTTP", "client"]
    assert words_of("__init__") == ["init"]
