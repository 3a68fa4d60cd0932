"""BP604 unstructured-log-message: what it flags, what it leaves alone, and its fix."""

from __future__ import annotations

import pytest

from tests.helpers import check, fix_all

HEADER = "import logging\n\nlogger = logging.getLogger(__name__)\n"


def _run(code: str):
    result = check(code, select=["BP604"])
    assert not result.errors, [e.trace for e in result.errors]
    return result


@pytest.mark.parametrize(
    ("call", "fixed"),
    [
        ('logger.info(f"User {uid} created")', 'logger.info("User %s created", uid)'),
        ('logger.info(f"{uid}")', 'logger.info("%s", uid)'),
        ('logger.info(f"{name!r} {name!s} {name!a}")', 'logger.info("%r %s %a", name, name, name)'),
        ('logger.info(f"took {t:.2f}s")', 'logger.info("took %.2fs", t)'),
        (
            'logger.info(f"id {uid:05d} {uid:#x} {t:+8.3e}")',
            'logger.info("id %05d %#x %+8.3e", uid, uid, t)',
        ),
        ('logger.info(f"{name:.3s}")', 'logger.info("%.3s", name)'),
        ('logger.info(f"{uid} at 100% {{literal}}")', 'logger.info("%s at 100%% {literal}", uid)'),
        ("logger.info(f'{d[\"k\"]}')", "logger.info('%s', d[\"k\"])"),
        ('logger.info(f"{uid, name}")', 'logger.info("%s", (uid, name))'),
        ('logger.info(f"a {uid} " "50%")', 'logger.info("a %s " "50%%", uid)'),
        ('logger.info(rf"\\d {uid}")', 'logger.info(r"\\d %s", uid)'),
        ('logger.info(f"{uid}", extra={"k": 1})', 'logger.info("%s", uid, extra={"k": 1})'),
        ('logger.log(logging.INFO, f"{uid}")', 'logger.log(logging.INFO, "%s", uid)'),
        ('logger.info(("x %s %s" % (uid, name)))', 'logger.info("x %s %s", uid, name)'),
        ('logger.info("x %s" % (uid,))', 'logger.info("x %s", uid)'),
    ],
)
def test_fix_makes_the_arguments_lazy(call: str, fixed: str) -> None:
    code = f"{HEADER}{call}\n"
    result = _run(code)
    (finding,) = result.findings
    assert finding.fix is not None
    assert fix_all(code, result.findings) == f"{HEADER}{fixed}\n"
    assert _run(f"{HEADER}{fixed}\n").findings == []


@pytest.mark.parametrize(
    "call",
    [
        'logger.info(f"{uid:>10}")',  # alignment differs between format() and printf
        'logger.info(f"{uid:,}")',
        'logger.info(f"{uid:10}")',
        'logger.info(f"{name:10s}")',
        'logger.info(f"{uid!r:>4}")',
        'logger.info(f"{uid=}")',
        'logger.info(f"{t:.{digits}f}")',
        'logger.info(f"{uid} %s", name)',
        'logger.info(msg=f"{uid}")',
        'logger.info("x %s" % uid)',
        'logger.info("x " + name)',
        'logger.info("x " + str(uid))',
        'logger.info("x {}".format(uid))',
    ],
)
def test_flagged_without_a_fix_when_no_faithful_rewrite_exists(call: str) -> None:
    (finding,) = _run(f"{HEADER}{call}\n").findings
    assert finding.fix is None


@pytest.mark.parametrize(
    "call",
    [
        'logger.info("User created", extra={"user_id": uid})',
        'logger.info("User %s created", uid)',
        'logger.info(f"constant")',
        'logger.info("value %s", f"{uid}")',
        "logger.info(message)",
        'math.log(f"{uid}")',
        'metrics.info(f"{uid}")',
        'total = "a" + name',
    ],
)
def test_left_alone(call: str) -> None:
    assert _run(f"{HEADER}{call}\n").findings == []


@pytest.mark.parametrize(
    "receiver",
    [
        "log",
        "LOGGER",
        "_logger",
        "self.logger",
        "app.logger",
        "logging",
        "logging.getLogger(__name__)",
        "audit",
    ],
)
def test_logger_receivers(receiver: str) -> None:
    code = f'import logging\n\naudit = logging.getLogger("audit")\n{receiver}.error(f"{{x}}")\n'
    assert len(_run(code).findings) == 1


def test_message_names_the_kind_of_formatting() -> None:
    (finding,) = _run(f'{HEADER}logger.info("a " + b)\n').findings
    assert finding.message.endswith("not string concatenation")


def test_loguru_gets_brace_advice_and_no_percent_fix():
    code = 'from loguru import logger\n\n\ndef f(x):\n    logger.info(f"a {x}")\n'
    result = check(code, select=["BP604"])
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert "`{}`" in finding.message
    assert finding.fix is None


@pytest.mark.parametrize(
    "call",
    [
        'run_logger.info(f"Downloading from {path!r}")',
        'self.audit_log.warning(f"failed: {e}")',
        'logger.warning(TEMPLATE.format(op="log") % str(e))',
    ],
)
def test_more_logger_names_and_percent_after_format(call: str):
    code = f"def f(path, e):\n    {call}\n"
    assert len(check(code, select=["BP604"]).findings) == 1


@pytest.mark.parametrize(
    "call",
    ['catalog.info(f"x {y}")', 'blog.info(f"x {y}")', 'logger.info(f"constant")'],
)
def test_names_that_are_not_loggers_and_constant_fstrings(call: str):
    assert check(f"def f(y):\n    {call}\n", select=["BP604"]).findings == []
