"""BP104 pep8-whitespace: what it flags, what it leaves alone, and its fix."""

from __future__ import annotations

import pytest

from tests.helpers import check, fix_all


def run(source: str):
    result = check(source, select=["BP104"])
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def fixed(source: str) -> str:
    text = fix_all(source, run(source))
    assert not run(text), "the fix must clear every finding in one run"
    return text


@pytest.mark.parametrize(
    ("source", "message", "column", "after"),
    [
        ("x=1\n", "Missing whitespace around `=`", 1, "x = 1\n"),
        ("x =1\n", "Missing whitespace after `=`", 2, "x = 1\n"),
        ("(y)=1\n", "Missing whitespace around `=`", 3, "(y) = 1\n"),
        ("x: int=0\n", "Missing whitespace around `=`", 6, "x: int = 0\n"),
        ("x:int = 0\n", "Missing whitespace after `:`", 1, "x: int = 0\n"),
        ("x+=1\n", "Missing whitespace around `+=`", 1, "x += 1\n"),
        ("y = a+b\n", "Missing whitespace around `+`", 5, "y = a + b\n"),
        ("y = a **2\n", "Missing whitespace after `**`", 6, "y = a ** 2\n"),
        ("y = a[x+1]\n", "Missing whitespace around `+`", 7, "y = a[x + 1]\n"),
        ("y = x in(1, 2)\n", "Missing whitespace after `in`", 6, "y = x in (1, 2)\n"),
        ("y = a and(b)\n", "Missing whitespace after `and`", 6, "y = a and (b)\n"),
        ("y = int|None\n", "Missing whitespace around `|`", 7, "y = int | None\n"),
        ("f(a,b)\n", "Missing whitespace after `,`", 3, "f(a, b)\n"),
        ("import a,b\n", "Missing whitespace after `,`", 8, "import a, b\n"),
        ("assert x,'m'\n", "Missing whitespace after `,`", 8, "assert x, 'm'\n"),
        (
            "d = {k:v for k, v in x}\n",
            "Missing whitespace after `:`",
            6,
            "d = {k: v for k, v in x}\n",
        ),
        ("if (n:=10) > 5:\n    pass\n", "Missing whitespace around `:=`", 5, None),
        ("def f()->int:\n    return 1\n", "Missing whitespace around `->`", 7, None),
    ],
)
def test_flags_one_token(source: str, message: str, column: int, after: str | None):
    findings = run(source)
    assert [(f.message, f.range.start.column) for f in findings] == [(message, column)]
    if after is not None:
        assert fixed(source) == after


@pytest.mark.parametrize(
    "source",
    [
        "f(a=1)\n",  # keyword argument
        "def f(a, b=1) -> None:\n    pass\n",  # unannotated default
        "y = -x\n",
        "y = not x\n",
        "y = a**2\n",  # PEP 8 allows a tight power
        "y = x*2 - 1\n",  # PEP 8's priority rule
        "hypot2 = x*x + y*y\n",
        "c = (a+b) * (a-b)\n",
        "y = a[x+1:]\n",  # slices
        "y = ham[lower+offset : upper+offset]\n",
        "y = ham[1:9], ham[::2]\n",
        "t = (1,)\n",  # trailing comma
        "f(a,)\n",
        "x = [1,\n     2]\n",  # a line break after the comma
        "y = f'{a+b:>{w+1}}'\n",  # f-string contents
        "y = f'{x=}'\n",
        "x = (a\n     + b)\n",
    ],
)
def test_leaves_alone(source: str):
    assert run(source) == []


def test_standard_bad_signature():
    source = "def processUserData(userId,includeHistory=False)->dict:\n    pass\n"
    messages = [f.message for f in run(source)]
    assert messages == ["Missing whitespace after `,`", "Missing whitespace around `->`"]
    assert fixed(source).startswith("def processUserData(userId, includeHistory=False) -> dict:")


def test_annotated_parameters_multiline():
    source = (
        "class A:\n    def f(\n        self,\n        x:int=3,\n    )->int:\n        return x\n"
    )
    assert fixed(source) == (
        "class A:\n    def f(\n        self,\n        x: int = 3,\n"
        "    ) -> int:\n        return x\n"
    )


def test_tight_runs_are_fixed_in_one_go():
    assert fixed("x = a*b*c\n") == "x = a * b * c\n"
    assert fixed("x = a-b*c\n") == "x = a - b*c\n"


def test_commas_everywhere():
    source = (
        "from m import (a,b)\n"
        "class C(B,metaclass=M):\n"
        "    pass\n"
        "def f(a,*,b,**k) -> None:\n"
        "    with x as y,z as w:\n"
        "        print(*a,**k)\n"
        "    global g,h\n"
        "t: dict[str,int] = {'a':1,**d}\n"
        "s = {1,2}\n"
        "u = lambda p,q: p\n"
    )
    assert fixed(source) == (
        "from m import (a, b)\n"
        "class C(B, metaclass=M):\n"
        "    pass\n"
        "def f(a, *, b, **k) -> None:\n"
        "    with x as y, z as w:\n"
        "        print(*a, **k)\n"
        "    global g, h\n"
        "t: dict[str, int] = {'a': 1, **d}\n"
        "s = {1, 2}\n"
        "u = lambda p, q: p\n"
    )


def test_match_patterns():
    source = (
        "match x:\n"
        "    case [a,b]:\n"
        "        pass\n"
        "    case {'k':v,**rest}:\n"
        "        pass\n"
        "    case P(a,b=c):\n"
        "        pass\n"
    )
    assert fixed(source) == source.replace(",", ", ").replace("'k':", "'k': ")
