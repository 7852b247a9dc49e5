"""The step-by-step LSTM explorer of section 2.7, checked in Chromium against PyTorch.

Every number is read from the page itself (the `data-value` attributes the widget puts on each shown
number) and compared with `LSTMbyHand.lstm_unit` run step by step in float64 with the weights of
docs/generated/weights.json, the file the page fetches.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import torch
from torch.overrides import TorchFunctionMode

from browser import answer_json, block_third_parties, PageLog, remount, serve_local_sitemap, settle, watch
from models import LSTMbyHand
from artifacts import generated_json

CHECKPOINTS = generated_json("weights.json", "checkpoints")
# The weight sets by name ("after_2000"), and the label the widget gives each (from the epochs in the file).
WEIGHTS = {f"after_{c['epochs']}": c["weights"] for c in CHECKPOINTS}
SETS = {f"after_{c['epochs']}": ("训练 " if i == 0 else "恢复训练到 ") + f"{c['epochs']} 轮" for i, c in enumerate(CHECKPOINTS)}
FIRST, LAST = list(SETS)[0], list(SETS)[-1]
PAGE = "lstm-by-hand/"
COMPANIES = {"A": [0.0, 0.5, 0.25, 1.0], "B": [1.0, 0.5, 0.25, 1.0]}
QUANTITIES = ("x", "Cprev", "hprev", "f", "i", "g", "C", "o", "h")
TOLERANCE = 1e-6

WIDGET = ".lstm-explorer"
PREDICTION = f'{WIDGET} [data-quantity="prediction"]'
MESSAGE = f"{WIDGET} .lstm-widget__message"
ERROR = f"{WIDGET} .lstm-widget__error"


# ---- PyTorch reference -------------------------------------------------------------------------

class _Gates(TorchFunctionMode):
    """Records what torch.sigmoid / torch.tanh return inside lstm_unit, in call order."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in (torch.sigmoid, torch.tanh):
            self.calls.append((func.__name__, float(out)))
        return out


def model_for(weight_set: str) -> LSTMbyHand:
    model = LSTMbyHand().double()
    with torch.no_grad():
        for name, value in WEIGHTS[weight_set].items():
            getattr(model, name).copy_(torch.tensor(value, dtype=torch.float64))
    return model


def reference(weight_set: str, inputs: list[float]) -> list[dict[str, float]]:
    """Day by day: the values lstm_unit computes (gates from its sigmoid/tanh calls, in the post's order)."""
    model = model_for(weight_set)
    long_memory = short_memory = torch.tensor(0.0, dtype=torch.float64)
    steps = []
    with torch.no_grad():
        for x in inputs:
            with _Gates() as gates:
                new_long, new_short = model.lstm_unit(torch.tensor(x, dtype=torch.float64), long_memory, short_memory)
            # long_remember_percent, potential_remember_percent, potential_memory, output_percent, tanh(C)
            assert [name for name, _ in gates.calls] == ["sigmoid", "sigmoid", "tanh", "sigmoid", "tanh"]
            (_, f), (_, i), (_, g), (_, o), _ = gates.calls
            steps.append({"x": x, "Cprev": float(long_memory), "hprev": float(short_memory),
                          "f": f, "i": i, "g": g, "C": float(new_long), "o": o, "h": float(new_short)})
            long_memory, short_memory = new_long, new_short
        assert float(model(torch.tensor(inputs, dtype=torch.float64))) == steps[-1]["h"]
    return steps


def prediction(weight_set: str, inputs: list[float]) -> float:
    return reference(weight_set, inputs)[-1]["h"]


# ---- the page ----------------------------------------------------------------------------------

class Explorer:
    """A new page on the lstm-by-hand chapter, with instant navigation as at site_url, its console errors,
    page errors and requests logged and any request to another host aborted."""

    def __init__(self, browser, site, site_url, viewport=None, scheme=None):
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        self.log = PageLog("/" + PAGE)
        block_third_parties(self.context, site_url, self.log.external)
        serve_local_sitemap(self.context, site, site_url)
        self.page = self.context.new_page()
        watch(self.page, self.log)
        self.page.goto(site_url + PAGE)
        if scheme:
            self.page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
        self.page.locator(WIDGET).scroll_into_view_if_needed()  # it mounts when it comes near the viewport
        self.page.wait_for_selector(f'{WIDGET}[data-explorer="ready"], {WIDGET}[data-explorer="error"]')

    def close(self):
        self.context.close()

    def remount(self):
        """Put a fresh, unmounted widget element in place of the old one and let Material announce a new
        document, as instant navigation does: the widget mounts again and fetches its weights again."""
        remount(self.page, WIDGET, "data-explorer")
        self.page.wait_for_selector(f'{WIDGET}[data-explorer="ready"], {WIDGET}[data-explorer="error"]')

    def values(self, table: str = "detail") -> dict[tuple[str, int], float]:
        """(quantity, day) -> the full-precision value of every number shown in one table."""
        rows = self.page.eval_on_selector_all(
            f"{WIDGET} .lstm-widget__{table} [data-quantity]",
            "els => els.map(e => [e.dataset.quantity, Number(e.dataset.day), e.dataset.value, e.textContent])")
        out = {}
        for quantity, day, value, text in rows:
            number = float(value)
            assert math.isfinite(number)
            assert abs(float(text) - number) <= 5e-7, (quantity, day, value, text)  # the 6 shown decimals
            out[(quantity, day)] = number
        return out

    def prediction(self) -> float:
        return float(self.page.get_attribute(PREDICTION, "data-value"))

    def step(self) -> int:
        return int(self.page.get_attribute(f"{WIDGET} [data-role=status]", "data-step"))

    def choose(self, weight_set: str, company: str):
        self.page.get_by_label(SETS[weight_set], exact=True).check()
        self.page.locator(WIDGET).get_by_label(re.compile(f"^公司 {company}")).check()
        self.page.get_by_role("button", name="重置（回到第 1 天）").click()
        assert self.step() == 1

    def text_input(self, day: int):
        return self.page.locator(f"{WIDGET} .lstm-widget__text[data-day='{day - 1}']")

    def slider(self, day: int):
        return self.page.locator(f"{WIDGET} .lstm-widget__slider[data-day='{day - 1}']")

    def widget_text(self) -> str:
        return self.page.inner_text(WIDGET)


def shared_page(browser, site, site_url):
    """A page several tests use in turn; none of them may leave an uncaught error on it."""
    e = Explorer(browser, site, site_url)
    yield e
    e.close()
    assert e.log.page_errors == [], f"uncaught errors on a page explorer tests shared: {e.log.page_errors}"


@pytest.fixture(scope="module")
def loaded(browser, built_site, site_url):
    """One load of the page for the tests that only click and type: loading it costs more than a test."""
    yield from shared_page(browser, built_site, site_url)


@pytest.fixture(scope="module")
def remountable(browser, built_site, site_url):
    """A page of its own for the tests that make the widget mount again with other weights."""
    yield from shared_page(browser, built_site, site_url)


@pytest.fixture
def explorer(loaded):
    """The module's page, put back as a reader first finds it: 2000 epochs, company A's days, day 1."""
    # Choosing a company puts its four days back, invalid text included, but only when the choice changes.
    loaded.page.locator(WIDGET).get_by_label(re.compile("^公司 B")).check()
    loaded.choose(FIRST, "A")
    assert [loaded.text_input(d).input_value() for d in range(1, 5)] == ["0", "0.5", "0.25", "1"]
    return loaded


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


# ---- 1. every shown value is PyTorch's ---------------------------------------------------------

def test_every_step_of_both_companies_and_both_weight_sets_matches_pytorch(explorer):
    worst = 0.0
    for weight_set in SETS:
        for company, inputs in COMPANIES.items():
            explorer.choose(weight_set, company)
            expected = reference(weight_set, inputs)
            for day in range(1, 5):
                assert explorer.step() == day
                shown = explorer.values("detail")
                assert set(shown) == {(q, day) for q in QUANTITIES}
                trace = explorer.values("trace")
                assert set(trace) == {(q, d) for q in ("x", "f", "i", "g", "C", "o", "h") for d in range(1, day + 1)}
                for d in range(1, day + 1):  # what was computed so far stays on the trace table
                    for q in ("x", "f", "i", "g", "C", "o", "h"):
                        assert close(trace[(q, d)], expected[d - 1][q]), (weight_set, company, d, q)
                for q in QUANTITIES:
                    diff = abs(shown[(q, day)] - expected[day - 1][q])
                    worst = max(worst, diff)
                    assert diff <= TOLERANCE, (weight_set, company, day, q, shown[(q, day)], expected[day - 1][q])
                assert close(explorer.prediction(), expected[-1]["h"])
                if day < 4:
                    explorer.page.get_by_role("button", name="下一天 →").click()
            # and back again
            for day in (3, 2, 1):
                explorer.page.get_by_role("button", name="← 上一天").click()
                assert explorer.step() == day
                assert close(explorer.values("detail")[("h", day)], expected[day - 1]["h"])
    print(f"max |page - PyTorch| over 4 runs x 4 days x 9 values: {worst:.3g}")


def test_prediction_separates_the_companies_only_after_resuming(explorer):
    """What the reader should see: 2000 epochs 'fair', 5000 epochs 'great' (checked against PyTorch too)."""
    text = {}
    for weight_set in SETS:
        explorer.choose(weight_set, "A")
        shown_a = float(explorer.page.get_attribute(f'{WIDGET} [data-quantity="prediction-A"]', "data-value"))
        shown_b = float(explorer.page.get_attribute(f'{WIDGET} [data-quantity="prediction-B"]', "data-value"))
        assert close(shown_a, prediction(weight_set, COMPANIES["A"]))
        assert close(shown_b, prediction(weight_set, COMPANIES["B"]))
        text[weight_set] = explorer.page.inner_text(f"{WIDGET} [data-role=prediction]")
    assert "效果一般" in text[FIRST]
    assert "效果巨好" in text[LAST]


# ---- 2. changing an input moves the prediction to PyTorch's ------------------------------------

def test_changing_inputs_moves_the_prediction_to_pytorchs(explorer):
    explorer.choose(LAST, "A")
    before = explorer.prediction()
    inputs = list(COMPANIES["A"])
    for day, typed in ((2, "1.37"), (4, "-0.8"), (1, "2")):
        explorer.text_input(day).fill(typed)
        explorer.text_input(day).press("Enter")
        inputs[day - 1] = float(typed)
        assert close(explorer.prediction(), prediction(LAST, inputs)), (day, typed)
    assert not close(explorer.prediction(), before)
    # custom inputs: no company is selected any more, and the page says there is no label
    assert not explorer.page.locator(WIDGET).get_by_label(re.compile("^公司 A")).is_checked()
    assert "没有标签" in explorer.page.inner_text(f"{WIDGET} [data-role=prediction]")
    # the step tables follow the new inputs too
    expected = reference(LAST, inputs)
    shown = explorer.values("detail")
    assert all(close(shown[(q, 1)], expected[0][q]) for q in QUANTITIES)
    # the same with the other weights
    explorer.page.get_by_label(SETS[FIRST], exact=True).check()
    assert close(explorer.prediction(), prediction(FIRST, inputs))
    # choosing company B puts its four days back
    explorer.page.locator(WIDGET).get_by_label(re.compile("^公司 B")).check()
    assert [explorer.text_input(d).input_value() for d in range(1, 5)] == ["1", "0.5", "0.25", "1"]
    assert close(explorer.prediction(), prediction(FIRST, COMPANIES["B"]))


def test_slider_moves_the_prediction(explorer):
    explorer.choose(LAST, "A")
    explorer.slider(3).fill("0.9")
    assert explorer.text_input(3).input_value() == "0.9"
    assert close(explorer.prediction(), prediction(LAST, [0, 0.5, 0.9, 1]))


# ---- 3. no errors, nothing but the local server ------------------------------------------------

def test_no_console_errors_and_no_third_party_request(browser, built_site, site_url):
    e = Explorer(browser, built_site, site_url)
    try:
        page = e.page
        e.choose(LAST, "B")
        page.get_by_role("button", name="下一天 →").click()
        e.text_input(1).fill("0.3")
        e.text_input(1).press("Enter")
        # Material's instant navigation, away and back again: the same document, the widget mounted once,
        # ready, from scratch
        settle(page)  # Material handles clicks in place only once it has the sitemap
        page.evaluate("window.__sameDocument = true")
        page.locator("a.md-footer__link--next").click()
        page.wait_for_url("**/nn-lstm/")
        page.wait_for_selector(WIDGET, state="detached")
        page.go_back()
        page.wait_for_url("**/lstm-by-hand/")
        page.locator(WIDGET).scroll_into_view_if_needed()
        page.wait_for_selector(f'{WIDGET}[data-explorer="ready"]')
        assert page.evaluate("window.__sameDocument === true"), (
            f"{e.log.page} -> its footer's next link -> back: a page was reloaded, instant navigation did not handle it")
        assert page.locator(WIDGET).count() == 1
        assert page.locator(f"{WIDGET} .lstm-widget__widget").count() == 1
        page.evaluate("document$.next(document)")  # a second notification does not initialise twice
        assert page.locator(f"{WIDGET} .lstm-widget__widget").count() == 1
        assert e.step() == 1
        expected = reference(FIRST, COMPANIES["A"])
        shown = e.values("detail")
        assert all(close(shown[(q, 1)], expected[0][q]) for q in QUANTITIES), (shown, expected[0])
        assert close(e.prediction(), expected[-1]["h"])
        assert e.log.external == [], f"{e.log.page}: requests to another host (aborted): {e.log.external}"
        assert e.log.console_errors == [], f"{e.log.page}: console errors: {e.log.console_errors}"
        assert e.log.page_errors == [], f"{e.log.page}: uncaught page errors: {e.log.page_errors}"
        assert e.log.bad_responses == [], f"{e.log.page}: {e.log.bad_responses}"
        assert any(u.endswith("/generated/weights.json") for u in e.log.requests), (
            f"{e.log.page}: no request for generated/weights.json among {e.log.requests}")
    finally:
        e.close()


# ---- 4. bad input and bad weights --------------------------------------------------------------

@pytest.mark.parametrize("typed, said", [("2.5", "2.5 超出了范围"), ("-1.001", "-1.001 超出了范围"),
                                         ("2.001", "2.001 超出了范围"), ("abc", "“abc”不是数字"),
                                         ("1,5", "“1,5”不是数字"), ("", "不能为空")])
def test_bad_input_is_refused_with_a_message(explorer, typed, said):
    explorer.choose(LAST, "B")
    before = explorer.prediction()
    before_detail = explorer.values("detail")
    explorer.text_input(2).fill(typed)
    explorer.text_input(2).press("Enter")
    message = explorer.page.locator(MESSAGE)
    assert message.is_visible()
    assert said in message.inner_text()
    assert message.get_attribute("aria-live") == "polite"
    assert explorer.text_input(2).get_attribute("aria-invalid") == "true"
    assert explorer.prediction() == before
    assert explorer.values("detail") == before_detail
    assert "NaN" not in explorer.widget_text()
    # a good value clears the message and is used
    explorer.text_input(2).fill("0.75")
    explorer.text_input(2).press("Enter")
    assert message.inner_text().strip() == ""
    assert explorer.text_input(2).get_attribute("aria-invalid") is None
    assert close(explorer.prediction(), prediction(LAST, [1, 0.75, 0.25, 1]))


GOOD = json.dumps({"checkpoints": CHECKPOINTS})


@pytest.mark.parametrize("route, said", [
    (answer_json(404, "not found"), "404"),
    (answer_json(500, "oops"), "500"),
    (lambda route: route.abort(), "网络请求失败"),
    (answer_json(body='{"checkpoints": [{"epochs": 2000, "weights": {"wlr1": "x"}}]}'), "第 1 组权重的 wlr1 不是一个有限的数字"),
    (answer_json(body="{not json"), "不是合法的 JSON"),
    (answer_json(body='{"checkpoints": []}'), "没有 checkpoints 列表"),
    (answer_json(body=GOOD.replace(str(WEIGHTS[LAST]["bo1"]), "null")), "第 2 组权重的 bo1"),
    (answer_json(body=GOOD.replace(str(WEIGHTS[FIRST]["wp2"]), "1e999")), "第 1 组权重的 wp2"),
    (answer_json(body=GOOD.replace('"epochs": ', '"epochs": -', 1)), "epochs 不是正整数"),
    (answer_json(body="[]"), "没有 checkpoints 列表"),
], ids=["404", "500", "network", "string", "not-json", "no-checkpoints", "null", "infinite", "epochs", "array"])
def test_missing_or_malformed_weights_show_an_error_in_the_widget(remountable, route, said):
    e = remountable
    e.page.route("**/weights.json", route)
    errors_before = len(e.log.page_errors)  # the page is shared: earlier cases' errors are theirs
    try:
        e.remount()
        error = e.page.locator(ERROR)
        assert error.is_visible()
        assert error.get_attribute("role") == "alert"
        assert said in error.inner_text()
        text = e.widget_text()
        assert "NaN" not in text and "Infinity" not in text and "undefined" not in text
        assert e.page.locator(f"{WIDGET} [data-value]").count() == 0
        assert e.log.page_errors[errors_before:] == []
    finally:
        e.page.unroute("**/weights.json")


# ---- 5. keyboard, narrow screen, both colour schemes -------------------------------------------

def _has_visible_focus(page) -> bool:
    return page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    }""")


def test_keyboard_operates_every_control(explorer):
    page = explorer.page
    # weights: a radio group, arrow keys move the choice
    page.get_by_label(SETS[FIRST], exact=True).focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_label(SETS[LAST], exact=True).is_checked()
    assert close(explorer.prediction(), prediction(LAST, COMPANIES["A"]))
    # company: Tab reaches the company group, arrows choose B
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "A"
    page.keyboard.press("ArrowDown")
    assert page.locator(WIDGET).get_by_label(re.compile("^公司 B")).is_checked()
    assert close(explorer.prediction(), prediction(LAST, COMPANIES["B"]))
    # Tab goes on to the first day's text box, then its slider; arrows move the slider by 0.01
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.day") == "0"
    assert page.evaluate("document.activeElement.type") == "text"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "range"
    assert _has_visible_focus(page)
    page.keyboard.press("ArrowLeft")
    assert explorer.text_input(1).input_value() == "0.99"
    assert close(explorer.prediction(), prediction(LAST, [0.99, 0.5, 0.25, 1]))
    # in the text box, ArrowUp adds 0.01, Shift+ArrowDown takes 0.1 away
    explorer.text_input(4).focus()
    page.keyboard.press("ArrowUp")
    assert explorer.text_input(4).input_value() == "1.01"
    page.keyboard.press("Shift+ArrowDown")
    assert explorer.text_input(4).input_value() == "0.91"
    assert close(explorer.prediction(), prediction(LAST, [0.99, 0.5, 0.25, 0.91]))
    # typing, then Enter
    page.keyboard.press("Control+A")
    page.keyboard.type("0.6")
    page.keyboard.press("Enter")
    assert close(explorer.prediction(), prediction(LAST, [0.99, 0.5, 0.25, 0.6]))
    # stepper: Enter and Space on real buttons; focus stays on the button at the last day
    nxt = page.get_by_role("button", name="下一天 →")
    nxt.focus()
    assert _has_visible_focus(page)
    page.keyboard.press("Enter")
    assert explorer.step() == 2
    page.keyboard.press("Space")
    assert explorer.step() == 3
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert explorer.step() == 4
    assert nxt.get_attribute("aria-disabled") == "true"
    assert page.evaluate("document.activeElement.dataset.action") == "next"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert explorer.step() == 3
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "reset"
    page.keyboard.press("Enter")
    assert explorer.step() == 1
    expected = reference(LAST, [0.99, 0.5, 0.25, 0.6])
    assert close(explorer.values("detail")[("h", 1)], expected[0]["h"])


@pytest.fixture(scope="module", params=["default", "slate"])
def phone(request, browser, built_site, site_url):
    """The page at a phone's width, in one colour scheme, shared by the layout and the axe test."""
    e = Explorer(browser, built_site, site_url, viewport={"width": 360, "height": 740}, scheme=request.param)
    yield e
    e.close()


def open_weights_table(e: Explorer) -> None:
    if not e.page.locator(f"{WIDGET} details").evaluate("d => d.open"):
        e.page.locator(f"{WIDGET} details summary").click()


def test_no_horizontal_overflow_at_360_px(phone):
    page = phone.page
    page.locator(WIDGET).scroll_into_view_if_needed()

    def fits(when):
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, when
        box = page.locator(WIDGET).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, when

    phone.choose(FIRST, "A")
    fits("day 1")
    for day in (2, 3, 4):
        page.get_by_role("button", name="下一天 →").click()
        fits(f"day {day}")
    phone.text_input(2).fill("abc")
    phone.text_input(2).press("Enter")  # the longest message is on screen too
    fits("with an error message")
    open_weights_table(phone)
    fits("with the weights table open")
    # code names wrap only where the widget allows it, after an underscore, never mid-word
    broken = page.evaluate("""() => [...document.querySelectorAll('.lstm-widget__table code')]
        .flatMap(code => [...code.childNodes].filter(n => n.nodeType === Node.TEXT_NODE))
        .filter(text => { const r = document.createRange(); r.selectNodeContents(text);
                          return r.getClientRects().length > 1; })
        .map(text => text.textContent)""")
    assert broken == [], f"code names broken mid-word at 360 px: {broken}"
    # the tables scroll inside their own container, a named region the keyboard can reach
    scrolling = page.locator(f"{WIDGET} .lstm-widget__scroll").all()
    assert len(scrolling) == 3  # the day's table, the four days' trace, the weights
    for region in scrolling:
        assert (region.get_attribute("role"), region.get_attribute("tabindex")) == ("region", "0")
        assert region.get_attribute("aria-labelledby")


def test_widget_has_no_axe_violations(phone):
    try:
        import axe_playwright_python as axe
    except ImportError:
        pytest.fail("axe-playwright-python is not installed: pip install -r requirements.txt")
    page = phone.page
    open_weights_table(phone)  # the weights table too
    phone.text_input(3).fill("9")
    phone.text_input(3).press("Enter")  # and the error message
    page.add_script_tag(path=str(Path(axe.__file__).parent / "axe.min.js"))
    result = page.evaluate("() => axe.run(document.querySelector('.lstm-explorer'))")
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []
