"""A lesson's log downloads: the CSV and the book text are made when asked for (a click), not on
every rerun, and the log shown on the page is written once per run, not once per rerun."""

from __future__ import annotations

import csv
import dataclasses
import io

import streamlit as st

from gdviz import experiments
from gdviz.ui import downloads, runs


def _capture(monkeypatch) -> list[dict]:
    got: list[dict] = []

    class Col:
        def download_button(self, label, data, **kw):
            got.append({"label": label, "data": data, **kw})

    monkeypatch.setattr(st, "columns", lambda spec: [Col(), Col(), Col()])
    return got


def test_the_log_files_are_made_on_click_and_hold_the_run(monkeypatch):
    exp = experiments.get("gradient-descent")
    settings = exp.settings()
    run = runs.shared_run(exp, settings, 20)
    got = _capture(monkeypatch)
    lines = downloads.log_lines(exp, run, settings)
    downloads.log_buttons(exp.name, run.records, lines)
    csv_button, txt_button = got
    assert callable(csv_button["data"]) and callable(txt_button["data"])  # nothing made until clicked
    rows = list(csv.reader(io.StringIO(csv_button["data"]())))
    assert len(rows) == 1 + len(run.records) and rows[0][0] == "iteration"
    assert rows[1][rows[0].index("weight")] == repr(run.records[0]["weight"])
    assert txt_button["data"]() == "\n".join(lines) + "\n"
    assert csv_button["file_name"] == f"{exp.name}.csv" and txt_button["mime"] == "text/plain"


def test_a_runs_log_is_written_once_for_every_rerun_that_shows_it(monkeypatch):
    exp = experiments.get("gradient-descent")
    settings = exp.settings(alpha=0.02)  # a run no other test logged
    run = runs.shared_run(exp, settings, 20)
    calls = []

    def counting(r, s):
        calls.append(1)
        return real(r, s)

    real, exp = exp.log, dataclasses.replace(exp, log=counting)
    first = downloads.log_lines(exp, run, settings)
    again = downloads.log_lines(exp, run, settings)
    assert first == again and len(calls) == 1
    other = exp.settings(alpha=0.03)
    downloads.log_lines(exp, runs.shared_run(exp, other, 20), other)
    assert len(calls) == 2  # another run: its own log
