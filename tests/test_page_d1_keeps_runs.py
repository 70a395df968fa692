"""D1 never throws a trained run away: changing a setting keeps it on the chart by itself; before
any training the 'what training changed' area says so instead of drawing an empty picture."""

from gdviz.experiments import mnist_hidden as D
from tests.test_pages import figures, load, no_exception

D1 = "pages/D1_overfitting_dropout_and_batches.py"
SMALL = {"iterations": "2", "test_every": "1", "train_images": "100", "hidden_size": "10"}


def alpha_slider(at):
    return next(s for s in at.select_slider if s.label == D.ALPHA.label)


def titles(at) -> list[str]:
    return [(f.get("layout", {}).get("title") or {}).get("text") or "" for f in figures(at)]


def test_a_trained_run_is_kept_when_a_setting_changes():
    at = load(D1, SMALL)
    for _ in range(2):
        at.button(key="mnistnet_step").click().run()
        no_exception(at, "a step")
    trained = list(at.session_state["mnistnet_training"].records)
    assert len(trained) == 2 and trained[-1]["test_accuracy"] is not None
    alpha_slider(at).set_value(0.01).run()  # a new setting: a new run starts
    no_exception(at, "alpha changed after training")
    assert len(at.session_state["mnistnet_training"].records) == 0
    kept = at.session_state["mnistnet_kept"]
    assert len(kept) == 1, "the trained run is kept, not thrown away"
    label, records = kept[0]
    assert "alpha 0.005" in label and "I:0–1" in label  # the settings it was trained with
    assert [r["test_accuracy"] for r in records] == [r["test_accuracy"] for r in trained]
    assert any("kept by itself" in c.value for c in at.caption)
    curves = figures(at)[0]
    assert any((t.get("name") or "").startswith("run 1 (") for t in curves["data"]), "drawn on the chart"
    # a run with nothing trained is not kept; the same run is never kept twice
    alpha_slider(at).set_value(0.02).run()
    assert len(at.session_state["mnistnet_kept"]) == 1
    at.button(key="mnistnet_clear").click().run()
    assert at.session_state["mnistnet_kept"] == []


def test_before_training_the_change_pictures_are_a_clear_placeholder():
    at = load(D1, SMALL)
    no_exception(at, "defaults")
    assert any("Nothing trained yet" in i.value for i in at.info)
    assert not any("what training changed" in t for t in titles(at))
    at.button(key="mnistnet_step").click().run()
    assert not any("Nothing trained yet" in i.value for i in at.info)
    hidden = next(f for f in figures(at) if "what training changed" in ((f["layout"].get("title") or {}).get("text") or ""))
    assert hidden["data"][0]["colorbar"]["exponentformat"] == "e"  # 1e-4, never "100µ"
