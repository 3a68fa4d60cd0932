"""BP109 broad-exception-handler: what it flags and what it leaves alone."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check


def _lines(code: str) -> list[int]:
    result = check(textwrap.dedent(code), select=["BP109"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception:\n        pass",
        "except Exception:\n        ...",
        "except Exception:\n        return",
        "except Exception:\n        return None",
        "except BaseException:\n        pass",
        "except (ValueError, Exception):\n        pass",
        "except builtins.Exception:\n        pass",
        "except Exception as error:\n        logger.error('failed: %s', error)",
        "except Exception:\n        logger.warning('failed')\n        return None",
        "except Exception:\n        print('failed')",
    ],
)
def test_broad_handler_that_swallows_is_flagged(handler: str) -> None:
    code = f"import builtins\n\ndef load():\n    try:\n        work()\n    {handler}\n"
    assert _lines(code) == [6]


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception:\n        raise",
        "except Exception as error:\n        raise LoadError('x') from error",
        "except Exception:\n        logger.exception('failed')\n        raise",
        "except Exception:\n        if retry:\n            raise\n        return None",
        "except Exception:\n        return fallback()",
        "except Exception:\n        cleanup()",
        "except ValueError:\n        pass",
        "except (KeyError, ValueError):\n        return None",
    ],
)
def test_handlers_that_handle_or_reraise_are_left_alone(handler: str) -> None:
    code = f"def load():\n    try:\n        work()\n    {handler}\n"
    assert _lines(code) == []


def test_bare_except_is_flagged_on_the_keyword_unless_it_reraises() -> None:
    code = """\
    def load():
        try:
            work()
        except:
            return 1
        try:
            work()
        except:
            cleanup()
            raise
    """
    result = check(textwrap.dedent(code), select=["BP109"])
    (finding,) = result.findings
    assert (finding.range.start.line, finding.range.start.column) == (3, 4)
    assert finding.range.end.column == 10
    assert "KeyboardInterrupt" in finding.message


def test_worker_loop_that_logs_the_traceback_and_continues_is_left_alone() -> None:
    code = """\
    def consume(queue):
        while True:
            message = queue.get()
            try:
                handle(message)
            except Exception:
                logger.exception("cannot handle %r", message)
                continue
        for message in queue:
            try:
                handle(message)
            except Exception:
                logger.error("cannot handle %r", message, exc_info=True)
    """
    assert _lines(code) == []


def test_loop_without_traceback_or_outside_a_loop_is_flagged() -> None:
    code = """\
    def consume(queue):
        for message in queue:
            try:
                handle(message)
            except Exception:
                logger.error("cannot handle %r", message)

    def once(message):
        try:
            handle(message)
        except Exception:
            logger.exception("cannot handle %r", message)
    """
    assert _lines(code) == [5, 11]


def test_loop_outside_the_enclosing_function_does_not_count() -> None:
    code = """\
    for name in names:
        def handle():
            try:
                work()
            except Exception:
                logger.exception("failed")
    """
    assert _lines(code) == [5]


def test_bare_except_in_a_worker_loop_is_still_flagged() -> None:
    code = """\
    while True:
        try:
            work()
        except:
            logger.exception("failed")
    """
    assert _lines(code) == [4]


def test_except_star() -> None:
    code = "try:\n    work()\nexcept* Exception:\n    pass\n"
    assert _lines(code) == [3]


def test_message_names_the_caught_class() -> None:
    code = "try:\n    work()\nexcept BaseException:\n    pass\n"
    result = check(code, select=["BP109"])
    assert result.findings[0].message.startswith("`except BaseException` swallows")


def test_shadowed_exception_name_is_not_broad() -> None:
    code = "from app.errors import Exception\n\ntry:\n    work()\nexcept Exception:\n    pass\n"
    assert _lines(code) == []


def test_module_loggers_of_any_name_count_as_log_calls() -> None:
    code = """\
    import logging

    audit = logging.getLogger("audit")

    def once():
        try:
            work()
        except Exception:
            audit.warning("failed")

    def worker(queue):
        for item in queue:
            try:
                work(item)
            except Exception:
                audit.exception("failed")
    """
    assert _lines(code) == [8]


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception:\n        return False",
        "except Exception:\n        return 'unknown error'",
        "except Exception:\n        return 0",
        "except Exception:\n        return -1",
        "except Exception:\n        return []",
        "except Exception:\n        return {}",
        "except Exception:\n        return dict()",
        "except Exception as e:\n        logger.error(f'failed: {e}')\n        return False",
        "except Exception:\n        logger.debug('failed', exc_info=True)\n        return None",
    ],
)
def test_a_default_value_swallows_the_error(handler: str) -> None:
    code = f"def load():\n    try:\n        return work()\n    {handler}\n"
    assert _lines(code) == [4]


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception:\n        return {'status': 'degraded'}",
        "except Exception:\n        return [DEFAULT]",
        "except Exception:\n        return default_config()",
        "except Exception as error:\n        return str(error)",
    ],
)
def test_a_real_fallback_is_left_alone(handler: str) -> None:
    code = f"def load():\n    try:\n        return work()\n    {handler}\n"
    assert _lines(code) == []


def test_the_standards_yes_no_probe_is_left_alone() -> None:
    code = """\
    async def verify_user_exists(self, user_id: int) -> bool:
        try:
            await self.get_user(user_id)
            return True
        except Exception:
            return False
    """
    assert _lines(code) == []


@pytest.mark.parametrize(
    "variant",
    [
        # the error is named and logged: not the plain probe
        "except Exception as e:\n        logger.warning('no: %s', e)\n        return False",
        "except Exception as e:\n        return False",
    ],
)
def test_a_probe_that_does_more_is_still_flagged(variant: str) -> None:
    code = f"def ok():\n    try:\n        work()\n        return True\n    {variant}\n"
    assert _lines(code) == [5]


def test_return_false_after_a_body_that_does_not_return_true_is_flagged() -> None:
    code = "def ok():\n    try:\n        work()\n    except Exception:\n        return False\n"
    assert _lines(code) == [4]


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception as e:\n        log.debug(e)\n        return {}, None, None, False",
        "except Exception as e:\n        warnings.warn(f'cannot register: {e}')",
    ],
)
def test_tuples_of_defaults_and_warnings_swallow(handler: str) -> None:
    code = f"import warnings\n\ndef load():\n    try:\n        return work()\n    {handler}\n"
    assert _lines(code) == [6]


def test_a_tuple_that_carries_the_error_is_left_alone() -> None:
    code = (
        "def load():\n    try:\n        return work()\n"
        "    except Exception as e:\n        return None, e\n"
    )
    assert _lines(code) == []
