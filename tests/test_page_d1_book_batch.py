"""D1 shows the book's printed batch code beside real mini-batches, and the >= note with live numbers."""

from tests.test_pages import load, no_exception

D1 = "pages/D1_overfitting_dropout_and_batches.py"
BOOK_I0 = "I:0 Test-Err:0.815 Test-Acc:0.3832 Train-Err:1.284 Train-Acc:0.165"  # the book's first batch line


def test_book_batch_preset_trains_the_books_log_and_says_what_differs():
    at = load(D1)
    at.button(key="preset_mnist-batch-book").click().run()
    no_exception(at, "book batch preset")
    assert at.radio(key="D1.batch_update").value == "book"
    assert any("update is applied 100 times" in c.value for c in at.caption)
    at.button(key="mnistnet_step").click().run()
    no_exception(at, "one step of the book's batch code")
    assert any(BOOK_I0 in c.value for c in at.code)
    titles = [e.label for e in at.expander]
    assert any(">= in chapter 8" in t for t in titles)
    assert any("of the 100 hidden units are off" in m.value for m in at.markdown)
    # the real mini-batch preset puts the setting back
    at.button(key="preset_mnist-batch").click().run()
    assert at.radio(key="D1.batch_update").value == "mean"
    assert not any("update is applied 100 times" in c.value for c in at.caption)


def test_book_batch_with_too_few_images_says_so():
    at = load(D1, {"batch_size": "200", "train_images": "100", "batch_update": "book"})
    no_exception(at, "batch bigger than the data")
    assert any("whole batches only" in e.value for e in at.error)
