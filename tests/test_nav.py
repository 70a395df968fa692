"""The sidebar and the home page describe every lesson from its page's docstring."""

from gdviz.ui import nav


def test_every_lesson_page_has_a_title_and_a_one_line_description():
    pages = nav.lesson_pages()
    assert len(pages) >= 16
    for lp in pages:
        assert lp.title and lp.title[0].isupper() and len(lp.title) <= 45, lp.relpath
        assert lp.blurb and lp.blurb[0].isupper(), f"{lp.relpath}: docstring '<code> · <title>: <blurb>'"
        assert lp.part in nav.PARTS


def test_titles_come_from_docstrings_and_fall_back_to_the_file_name(tmp_path):
    page = tmp_path / "Z9_some_words.py"
    page.write_text('"""Z9 · A title: with a colon: kept in the blurb."""\n')
    assert nav._described(page, "Some words") == ("A title", "With a colon: kept in the blurb.")
    page.write_text('"""Z9 · Looking inside: back-query — the title keeps its colon."""\n')
    assert nav._described(page, "x")[0] == "Looking inside: back-query"
    page.write_text("x = 1\n")
    assert nav._described(page, "Some words") == ("Some words", "")
    page.write_text("def broken(:\n")
    assert nav._described(page, "Some words") == ("Some words", "")
