"""The HTML report in a real browser: headless Chromium (Debian's `chromium` package, not a
browser that Playwright downloads) driven by Playwright's sync API.

Checks: the page loads with no console error, no uncaught exception and no request other than
file:/data:; every plot is drawn; the ladder sorts when a header is clicked; hostile column
names render literally and open no dialog; the page fits a phone's width; a screenshot is
written (to tmp_path, and to $DLCHECK_ARTIFACTS when set).

Where Chromium or the `playwright` module is missing the tests are skipped with a reason
(`pytest -rs` shows it); with the `CI` environment variable set they fail instead, so that CI
can never pass without running them. $DLCHECK_CHROMIUM names another Chromium binary.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dlcheck

CHROMIUM_MISSING = ("Chromium not found: install Debian's chromium package (apt-get install "
                    "chromium) to run the browser tests")
PLAYWRIGHT_MISSING = ("the playwright module is missing: pip install -e '.[test]' (the browser "
                      "itself comes from Debian's chromium package; never `playwright install`)")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = "<img src=x onerror=alert(1)>"
BOLD_VALUE = "<b>bold</b>"
ODD_CSV_NAME = "sales Q1 (draft) #2 ü 'final'.csv"
SLOW_CHECKS = ["tuning", "permutation_test", "learning_curves", "robustness", "explainability"]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DRAWN = "path, rect, line, circle, ellipse, polyline, polygon"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable(PLAYWRIGHT_MISSING)
    path = (os.environ.get("DLCHECK_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))
    if not path:
        _unavailable(CHROMIUM_MISSING)
    if not os.access(path, os.X_OK):
        _unavailable(f"{CHROMIUM_MISSING} ({path} is not an executable file)")
    return path


@pytest.fixture(scope="module")
def reports(chromium_path, tmp_path_factory) -> dict[str, Path]:
    """report.html of a hostile binary table (read from an oddly named CSV, with the checks that
    draw the robustness and importance plots) and of a regression table (with learning curves).
    Built before the browser starts: the assessments fork worker processes."""
    base = tmp_path_factory.mktemp("reports")
    rng = np.random.default_rng(0)
    n = 200
    x = rng.normal(size=(n, 3))
    hostile = pd.DataFrame({SCRIPT_NAME: x[:, 0], IMG_NAME: x[:, 1], "noise": x[:, 2],
                            "kind": rng.choice([BOLD_VALUE, "plain", "a & b"], n)})
    hostile["label"] = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=n) > 0).astype(int)
    csv = base / ODD_CSV_NAME
    hostile.to_csv(csv, index=False)
    binary = dlcheck.assess(csv, target="label",
                            skip_checks=[c for c in SLOW_CHECKS
                                         if c not in ("robustness", "explainability")])

    x = rng.normal(size=(n, 4))
    table = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    table["price"] = 2 * x[:, 0] - x[:, 1] + rng.normal(scale=0.3, size=n)
    regression = dlcheck.assess(table, target="price",
                                skip_checks=[c for c in SLOW_CHECKS if c != "learning_curves"])
    from dlcheck.data.images.synthetic import brightness_images, write_image_folder
    from tests.helpers import SMOKE_BUDGET

    images, labels = brightness_images(120, size=12)
    folder = write_image_folder(images, labels, base / "shade")
    image = dlcheck.assess(folder, budget=SMOKE_BUDGET,
                           skip_checks=[c for c in SLOW_CHECKS if c != "robustness"])
    return {"binary": binary.save(base / "binary")["html"],
            "regression": regression.save(base / "regression")["html"],
            "image": image.save(base / "image")["html"]}


@pytest.fixture(scope="module")
def browser(chromium_path, reports):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, uncaught exceptions, requests and dialogs are recorded."""

    def __init__(self, browser, viewport: dict[str, int]):
        self.context = browser.new_context(viewport=viewport, service_workers="block")
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(
            f"{m.text} at {m.location}"))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.context.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, html: Path):
        self.page.goto(html.resolve().as_uri(), wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def assert_clean(self) -> None:
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.page_errors, self.page_errors
        assert not self.blocked, f"network requests: {self.blocked}"
        outside = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        assert not outside, f"requests other than file:/data: {outside}"
        assert not self.console_errors, self.console_errors

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser):
    pages: list[Watched] = []

    def make(viewport=DESKTOP) -> Watched:
        pages.append(Watched(browser, viewport))
        return pages[-1]

    yield make
    for w in pages:
        w.close()


def _plots(page) -> dict[str, dict]:
    return page.evaluate(f"""() => Array.from(document.querySelectorAll('figure.plot')).map(f => {{
        const svgs = f.querySelectorAll('svg');
        const box = svgs.length ? svgs[0].getBoundingClientRect() : null;
        const cap = f.querySelector('figcaption');
        return {{name: f.dataset.plot, svgs: svgs.length,
                 width: box ? box.width : 0, height: box ? box.height : 0,
                 drawn: svgs.length ? svgs[0].querySelectorAll('{DRAWN}').length : 0,
                 caption: cap ? cap.textContent.trim() : null}};
    }})""")


def test_an_image_report_shows_its_pictures_offline(reports, watched):
    w = watched()
    page = w.open(reports["image"])
    assert page.locator("#verdict").inner_text().strip()
    decoded = page.evaluate("""() => Array.from(document.querySelectorAll('img.sample'))
        .map(i => i.complete && i.naturalWidth > 0)""")
    # 8 samples of each of the 2 classes, and the pictures of the findings (the universal
    # perturbation beside an image it flips): every one decoded from its data: URI.
    assert len(decoded) > 16 and all(decoded), decoded
    assert page.locator("#confusion td").count() == 2 * 3  # a label cell and 2 counts a row
    assert page.locator("figcaption", has_text="universal perturbation").count() >= 1
    w.assert_clean()


@pytest.mark.parametrize(("report", "expected_plots"), [
    ("binary", {"scores", "cost", "class_balance", "robustness", "importance"}),
    ("regression", {"scores", "cost", "learning_curves"}),
])
def test_page_loads_offline_and_draws_every_plot(reports, watched, report, expected_plots):
    w = watched()
    page = w.open(reports[report])
    assert page.locator("#verdict").is_visible()
    assert page.locator("#verdict").inner_text().strip()
    plots = _plots(page)
    names = [p["name"] for p in plots]
    assert len(names) == len(set(names)), f"a plot appears twice: {names}"
    assert expected_plots <= set(names), f"plots missing: {expected_plots - set(names)}"
    for plot in plots:
        assert plot["svgs"] == 1, plot
        assert plot["width"] > 0 and plot["height"] > 0, f"plot not laid out: {plot}"
        assert plot["drawn"] > 0, f"plot with nothing drawn: {plot}"
        assert plot["caption"], f"plot without a caption: {plot}"
    remote = page.evaluate("""() => Array.from(document.querySelectorAll(
            '[src], [srcset], link[href], use[href]'))
        .map(e => e.getAttribute('src') || e.getAttribute('srcset') || e.getAttribute('href'))
        .filter(u => /^(https?:)?\\/\\//i.test(u))""")
    assert not remote, f"network URLs in the page: {remote}"
    w.assert_clean()


def test_hostile_names_render_literally(reports, watched):
    w = watched()
    page = w.open(reports["binary"])
    text = page.evaluate("""() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
            acceptNode: n => n.parentElement.closest('script, style, template')
                ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
        const parts = [];
        while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
        return parts.join(' ');
    }""")
    assert SCRIPT_NAME in text
    assert IMG_NAME in text
    source = json.loads(reports["binary"].with_name("report.json").read_text())["dataset"]
    assert source["source"] == ODD_CSV_NAME
    assert ODD_CSV_NAME in text
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("[onerror]").count() == 0
    injected = page.evaluate("""() => Array.from(document.querySelectorAll('script'))
        .filter(s => s.textContent.includes('alert(')).length""")
    assert injected == 0
    assert page.evaluate("""() => Array.from(document.querySelectorAll('b'))
        .filter(b => b.textContent === 'bold').length""") == 0
    page.wait_for_timeout(300)  # an onerror handler would fire after the image fails to load
    w.assert_clean()


def _ladder_column(page, header_index: int) -> list[tuple[str, str | None, str]]:
    """(data-model, data-value, text) of each body row's cell under the header."""
    return page.evaluate("""(i) => Array.from(document.querySelectorAll('#ladder tbody tr'))
        .map(r => [r.dataset.model, r.cells[i] ? r.cells[i].getAttribute('data-value') : null,
                   r.cells[i] ? r.cells[i].textContent.trim() : ''])""", header_index)


def _numbers(column) -> list[float]:
    values = []
    for _, value, _ in column:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue  # a missing figure: where it sorts is the page's choice
        if not np.isnan(number):
            values.append(number)
    return values


def test_ladder_sorts_when_a_header_is_clicked(reports, watched):
    w = watched()
    page = w.open(reports["binary"])
    headers = page.locator("#ladder thead th")
    kinds = [headers.nth(i).get_attribute("data-sort") for i in range(headers.count())]
    numeric = [i for i, kind in enumerate(kinds) if kind == "number"]
    assert numeric, f"no th[data-sort=number] in #ladder: {kinds}"
    assert "text" in kinds, f"no th[data-sort=text] in #ladder: {kinds}"
    models = sorted(m for m, _, _ in _ladder_column(page, 0))
    assert len(models) >= 5 and all(models), models
    varied = 0
    for i in numeric:
        page.reload()
        header = headers.nth(i)
        label = header.inner_text().strip()
        header.click()
        ascending = _numbers(_ladder_column(page, i))
        assert ascending, f"no data-value under {label!r}"
        assert ascending == sorted(ascending), f"{label!r} not ascending: {ascending}"
        header.click()
        column = _ladder_column(page, i)
        descending = _numbers(column)
        assert descending == sorted(descending, reverse=True), \
            f"{label!r} not descending: {descending}"
        assert sorted(m for m, _, _ in column) == models, "sorting lost or duplicated rows"
        varied += len(set(descending)) > 1
    assert varied, "every numeric column is constant: the sort was not exercised"

    i = kinds.index("text")
    page.reload()
    headers.nth(i).click()
    first = [m for m, _, _ in _ladder_column(page, i)]
    headers.nth(i).click()
    second = [m for m, _, _ in _ladder_column(page, i)]
    keys = [t for _, _, t in _ladder_column(page, i)]
    if len(set(keys)) == len(keys):
        assert second == first[::-1], "a second click on a text header must reverse the order"
    w.assert_clean()


def test_page_fits_a_phone(reports, watched):
    for html in reports.values():
        w = watched(PHONE)
        page = w.open(html)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 2, f"{html.parent.name}: page is {width}px wide"
        w.assert_clean()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshot_is_written(reports, watched, tmp_path):
    artifacts = os.environ.get("DLCHECK_ARTIFACTS")
    for name, html in reports.items():
        w = watched()
        page = w.open(html)
        shot = tmp_path / f"report-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        width, height = _png_size(shot)
        assert width == DESKTOP["width"] and height >= DESKTOP["height"] // 2, (width, height)
        assert shot.stat().st_size > 10_000, f"{shot} is nearly empty"
        if artifacts:
            Path(artifacts).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(artifacts) / shot.name)
        w.assert_clean()


def test_page_prints(reports, watched, tmp_path):
    w = watched()
    page = w.open(reports["binary"])
    page.emulate_media(media="print")
    assert page.evaluate("() => getComputedStyle(document.querySelector('nav')).display") \
        == "none"
    # Nothing hides in a scroll box on paper: every ladder row is laid out in full.
    overflow = page.evaluate("() => getComputedStyle(document.querySelector('#ladder')"
                             ".closest('.scroll')).overflowX")
    assert overflow == "visible"
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page\n") + \
        data.count(b"/Type /Page>") + data.count(b"/Type /Page/") >= 2
    w.assert_clean()
