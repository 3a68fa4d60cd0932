from hypothesis import given
from hypothesis import strategies as st

from precepts.text import ColumnUnit, LineIndex, column_to_units, split_lines, units_to_column


def test_split_lines_only_on_real_line_endings():
    text = "a\fb\r\nc\u2028d\re\n"
    assert split_lines(text) == ["a\fb", "c\u2028d", "e", ""]


def test_column_units_for_emoji_and_cjk():
    line = 'x = "é😀中" + y'
    col = line.index("y")  # 12 code points
    assert column_to_units(line, col, ColumnUnit.UTF32) == 12
    assert column_to_units(line, col, ColumnUnit.UTF16) == 13  # the emoji is a surrogate pair
    assert column_to_units(line, col, ColumnUnit.UTF8) == 12 + 1 + 3 + 2  # é=2, 😀=4, 中=3


@given(st.text(max_size=40), st.data())
def test_units_round_trip(line, data):
    line = line.replace("\n", "").replace("\r", "")
    column = data.draw(st.integers(0, len(line)))
    for unit in ColumnUnit:
        units = column_to_units(line, column, unit)
        assert units_to_column(line, units, unit) == column


def test_line_index_offsets_with_crlf_and_cr():
    index = LineIndex("ab\r\ncd\ref\n")
    assert index.lines == ["ab", "cd", "ef", ""]
    assert index.offset(1, 1) == 5
    assert index.position(5) == (1, 1)
    assert index.offset(2, 99) == 9  # clamps to the end of the line
