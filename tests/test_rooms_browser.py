"""A teacher and a student in two Chromium contexts against the real server: the student follows
the teacher's page and settings, explores, follows again, cannot change the room, and is told
when the room closes. Skips with a reason where Chromium is absent."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fixtures import browser, server  # noqa: F401 (fixtures)
from tests.server import chromium_missing_reason, open_page, redis_server, streamlit_server, wait_idle

reason = chromium_missing_reason()
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

CODE = re.compile(r"GD-[A-Z]{4}-\d{4}")


def start_room(page) -> str:
    """Press Present to the room in ``page``'s sidebar; the room's code."""
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Present to the room").click()
    text = page.locator("[data-testid='stSidebar']").get_by_text("Presenting · room").first
    text.wait_for(timeout=20_000)
    return CODE.search(text.inner_text()).group(0)


def where(page) -> tuple[str, dict]:
    parts = urlsplit(page.url)
    return parts.path.rstrip("/").rsplit("/", 1)[-1], {k: v[-1] for k, v in parse_qs(parts.query).items()}


def wait_until(page, what, check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still {where(page)}")
        page.wait_for_timeout(100)


def sidebar_link(page, prefix: str) -> None:
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']").filter(has_text=prefix).first.click()


def test_a_student_follows_explores_and_follows_again(server, browser):
    teacher = open_page(browser, f"{server}/A2_gradient_descent")
    student = None
    try:
        code = start_room(teacher)
        assert teacher.locator("[data-testid='stSidebar']").get_by_text(f"?room={code}").count() >= 1
        student = open_page(browser, f"{server}/?room={code}")
        broken = []  # a frontend error that drops the connection ("Bad delta path", then "disconnected")
        student.on("console", lambda m: broken.append(m.text) if "Bad delta" in m.text or "disconnected" in m.text else None)
        # the student lands on the teacher's page
        wait_until(student, "student follows the page", lambda: where(student)[0] == "A2_gradient_descent")
        assert student.get_by_text(f"Following the teacher · room {code}").count() == 1
        assert where(student)[1].get("room") == code

        # a setting: the teacher picks a preset, the student's link gets the same values
        teacher.locator(".st-key-preset_stopping button").first.click()
        wait_until(teacher, "teacher's preset", lambda: "input" in where(teacher)[1])
        wait_idle(teacher)
        want = {k: v for k, v in where(teacher)[1].items() if k not in ("room", "lecture")}
        wait_until(student, "student follows the setting",
                   lambda: {k: v for k, v in where(student)[1].items() if k != "room"} == want)

        # a page: the teacher opens A3, the student follows
        sidebar_link(teacher, "A3 ·")
        wait_until(student, "student follows to A3", lambda: where(student)[0] == "A3_divergence_and_alpha")

        # explore: the student stays when the teacher moves on
        student.get_by_role("button", name="Explore on my own").click()
        student.get_by_role("button", name="Follow the teacher").wait_for(timeout=15_000)
        sidebar_link(teacher, "B1 ·")
        wait_until(teacher, "teacher on B1", lambda: where(teacher)[0] == "B1_multiple_inputs")
        student.wait_for_timeout(2_000)
        assert where(student)[0] == "A3_divergence_and_alpha", "an exploring student is not moved"

        # what the student does changes nothing in the room: the teacher stays where it was
        teacher_at = where(teacher)
        sidebar_link(student, "C1 ·")
        wait_until(student, "student explores C1", lambda: where(student)[0] == "C1_streetlights")
        teacher.wait_for_timeout(1_000)
        assert where(teacher) == teacher_at

        # follow again: back to the teacher's page
        student.get_by_role("button", name="Follow the teacher").click()
        wait_until(student, "student follows again", lambda: where(student)[0] == "B1_multiple_inputs")

        # the room closes: the student is told, nothing breaks
        teacher.locator("[data-testid='stSidebar']").get_by_role("button", name="End the room").click()
        student.get_by_text(f"The room {code} has closed").wait_for(timeout=15_000)
        assert student.locator("[data-testid='stException']").count() == 0
        assert teacher.locator("[data-testid='stException']").count() == 0
        assert not broken, broken[:3]
    finally:
        teacher.context.close()
        if student is not None:
            student.context.close()


def test_an_unknown_room_says_so(server, browser):
    student = open_page(browser, f"{server}/?room=GD-XXXX-0000")
    try:
        student.get_by_text("There is no open room GD-XXXX-0000").wait_for(timeout=15_000)
        assert student.locator("[data-testid='stException']").count() == 0
    finally:
        student.context.close()


def test_with_redis_a_room_crosses_server_processes(browser, monkeypatch):
    """Two server processes sharing one Redis (as `make serve` runs them): the teacher on one,
    the student on the other."""
    from tests.test_rooms import redis_missing_reason

    if redis_missing_reason():
        pytest.skip(redis_missing_reason())
    import contextlib


    with contextlib.ExitStack() as stack:
        url = stack.enter_context(redis_server())
        monkeypatch.setenv("GDVIZ_ROOMS", url)
        one = stack.enter_context(streamlit_server())
        two = stack.enter_context(streamlit_server())
        teacher = open_page(browser, f"{one}/A3_divergence_and_alpha")
        stack.callback(teacher.context.close)
        code = start_room(teacher)
        student = open_page(browser, f"{two}/?room={code}")
        stack.callback(student.context.close)
        wait_until(student, "student on the other process follows",
                   lambda: where(student)[0] == "A3_divergence_and_alpha")
        sidebar_link(teacher, "A2 ·")
        wait_until(student, "and follows to A2", lambda: where(student)[0] == "A2_gradient_descent")


def frame(page) -> int:
    return int(page.locator(".gdi").first.get_attribute("data-frame") or 0)


def test_play_follows_the_teacher(server, browser):
    """The teacher presses Play on A2 (a 60-iteration run at 4/s): the student's instrument plays
    along; Pause stops it near the teacher's iteration."""
    teacher = open_page(browser, f"{server}/A2_gradient_descent?iterations=60")
    student = None
    try:
        code = start_room(teacher)
        student = open_page(browser, f"{server}/A2_gradient_descent?room={code}")
        wait_until(student, "student on the teacher's run", lambda: where(student)[1].get("iterations") == "60")
        wait_idle(student)
        teacher.locator(".gdi-speed").first.select_option("4")
        assert frame(student) == 1
        teacher.get_by_role("button", name="▶ Play").click()
        wait_until(student, "the student's run plays", lambda: student.locator(".gdi[data-playing='true']").count() == 1)
        start = frame(student)
        student.wait_for_timeout(1_500)
        assert frame(student) > start, "the student's iteration advances while the teacher plays"
        teacher.get_by_role("button", name="❚❚ Pause").click()
        stopped_at = frame(teacher)
        wait_until(student, "the student's run pauses", lambda: student.locator(".gdi[data-playing='true']").count() == 0)
        wait_until(student, "the student stops at the teacher's iteration",
                   lambda: abs(frame(student) - stopped_at) <= 1, timeout=5)
        student.wait_for_timeout(1_000)
        assert abs(frame(student) - stopped_at) <= 1, (frame(student), stopped_at)
    finally:
        teacher.context.close()
        if student is not None:
            student.context.close()


def test_lecture_mode_shows_the_rooms_qr_code_in_the_browser(server, browser):
    """The join link's QR code is drawn in the teacher's lecture-mode corner (a picture the
    browser decoded), not only sent to it."""
    teacher = open_page(browser, f"{server}/A2_gradient_descent")
    try:
        code = start_room(teacher)
        teacher.locator("[data-testid='stSidebar']").get_by_text("Lecture mode").click()
        corner = teacher.locator("[data-testid='gd-room-corner']")
        corner.wait_for(timeout=20_000)
        qr = corner.locator("img")
        qr.wait_for(timeout=10_000)
        size = teacher.evaluate("""() => { const i = document.querySelector("[data-testid='gd-room-corner'] img");
            return [i.complete, i.naturalWidth, i.getBoundingClientRect().width]; }""")
        assert size[0] and size[1] > 0 and size[2] >= 100, size
        assert code in corner.inner_text()
    finally:
        teacher.close()
