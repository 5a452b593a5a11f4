"""Line and column of a byte offset: columns count UTF-16 units, as SARIF and editors do."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mutlint.source import parse_source


def reference_position(text: str, char_index: int) -> tuple[int, int]:
    before = text[:char_index]
    line_prefix = before.rpartition("\n")[2]
    return before.count("\n") + 1, len(line_prefix.encode("utf-16-le")) // 2 + 1


def source_of(text: str):
    return parse_source(text.encode("utf-8"), Path("a.ts"), "a.ts", "typescript")


def test_columns_count_utf16_units_after_wide_characters() -> None:
    text = 'const a = "é😀";\r\nconst b = 1;\n'
    file = source_of(text)
    after_emoji = text.index('";')
    position = file.position(len(text[:after_emoji].encode("utf-8")))
    assert (position.line, position.column) == (1, 15)  # é is one unit, 😀 two
    second = file.position(len(text[:text.index("const b")].encode("utf-8")))
    assert (second.line, second.column) == (2, 1)
    assert (file.position(0).line, file.position(0).column) == (1, 1)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "é", "中", "😀", "\t"]),
                    max_size=60),
       data=st.data())
def test_position_matches_counting_the_text(text: str, data: st.DataObject) -> None:
    file = source_of(text)
    index = data.draw(st.integers(min_value=0, max_value=len(text)))
    position = file.position(len(text[:index].encode("utf-8")))
    assert (position.line, position.column) == reference_position(text, index)


def _nodes(file):
    """Every node of the file's tree, by a cursor."""
    cursor, found = file.tree.walk(), []
    while True:
        found.append(cursor.node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return found


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(['"é"', "'中😀'", "x", "f(y)", "/* é\n */", "// 😀",
                                       "\r\n", "\n", "\t", " ", ";", "`a\n${b}`", "\r"]),
                      max_size=30))
def test_a_node_s_positions_are_its_offsets_positions(words: list[str]) -> None:
    """node_positions reads the rows and byte columns the tree keeps: the same answer as
    position() of the node's offsets, through wide characters and every kind of line end."""
    file = source_of("".join(words))
    for node in _nodes(file):
        assert file.node_positions(node) == (file.position(node.start_byte),
                                             file.position(node.end_byte))
