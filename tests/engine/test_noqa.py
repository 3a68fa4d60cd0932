from __future__ import annotations

from tests.helpers import check, codes, fix_all

BAD = "def f(a: int) -> bool:\n    return a == None{comment}\n"


def test_noqa_with_code_silences_that_code():
    assert codes(check(BAD.format(comment="  # noqa: BP105"), select=["BP105", "BP001"])) == []


def test_bare_noqa_silences_everything():
    assert codes(check(BAD.format(comment="  # noqa"), select=["BP105", "BP001"])) == []


def test_noqa_for_another_code_does_not_silence():
    result = check(BAD.format(comment="  # noqa: BP101"), select=["BP105", "BP001", "BP101"])
    assert codes(result) == ["BP105", "BP001"] or sorted(codes(result)) == ["BP001", "BP105"]


def test_unused_noqa_is_reported_with_a_safe_fix():
    source = "x = 1  # noqa: BP105\n"
    result = check(source, select=["BP105", "BP001"])
    assert codes(result) == ["BP001"]
    assert fix_all(source, result.findings) == "x = 1\n"


def test_unused_code_is_removed_and_others_kept():
    source = "x = 1  # noqa: E501, BP105\n"
    result = check(source, select=["BP105", "BP001"])
    assert fix_all(source, result.findings) == "x = 1  # noqa: E501\n"


def test_other_tools_codes_and_bare_noqa_are_left_alone():
    assert codes(check("x = 1  # noqa: E501\ny = 2  # noqa\n", select=["BP105", "BP001"])) == []


def test_noqa_inside_a_string_is_not_a_directive():
    source = 'x = "# noqa: BP105"\ny = x == None\n'
    assert codes(check(source, select=["BP105", "BP001"])) == ["BP105"]


def test_finding_inside_multiline_string_uses_the_strings_last_line():
    from precepts import noqa

    text = "x = '''\nline\n'''  # noqa: BP105\n"
    directives = noqa.scan(text)
    assert directives.directive_for(0) is directives.directives[2]
    assert directives.directive_for(1) is directives.directives[2]
