"""The built site, as a reader's browser shows it.

Headless Chromium (Debian's ``chromium`` package, driven by Playwright, no browser download)
visits every HTML page of ``_build/html``, served from this process on a loopback port, once at
a desktop width and once at a phone's 375 px, and checks what a reader would see:

- every maths element is typeset by MathJax, none shows a MathJax error (nor an undefined
  macro, which MathJax shows as red text), and no raw ``$$``, ``\\(`` or ``\\[`` is left in
  the text;
- every image is decoded (``naturalWidth > 0``) and has alt text of its own (docutils falls back
  to the file name when a figure has none: that does not count);
- every local link points to a file that exists, and every ``#anchor`` to an id on its page;
- no request leaves the local server, and none of them fails;
- at 375 px no page scrolls sideways, except inside code and equation boxes, and nothing is
  cut off where it does not fit (a long inline formula, say);
- no script error.

A screenshot of every page at both widths goes to ``_build/screenshots/``. The pages are found
in the build, not listed here, so every new chapter is checked as soon as it is built.
The module is skipped, with the reason, when there is no built site or no Chromium (a failure
instead when ``NLLCE_BROWSER_TEST=required``, as .ci/run sets it);
``NLLCE_SITE=path`` points it at another build, ``CHROMIUM=path`` at another Chromium.
"""

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# NLLCE_SITE=path checks another build (a copy, or one made with --path-output).
SITE = Path(os.environ.get("NLLCE_SITE") or ROOT / "_build" / "html").resolve()
SCREENSHOTS = SITE.parent / "screenshots"
# Debian's chromium; where a machine has none but Google's Chrome (GitHub's runners), that.
CHROMIUM = (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("google-chrome")
    or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 812}
# Boxes that may scroll sideways on their own: code, equations, wide tables of outputs.
SCROLL_BOXES = "pre, .highlight, .MathJax, mjx-container, .math, .output, .table-wrapper"
# Boxes of the page layout that scroll on their own by design (the sidebars, the contents).
LAYOUT_BOXES = ".bd-sidebar-primary, .bd-sidebar-secondary, .sidebar-primary-items__start"


def _pages() -> list[str]:
    """Every HTML page of the build, as a path relative to the site root."""
    if not (SITE / "index.html").is_file():
        return []
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if not skip.intersection(p.relative_to(SITE).parts)
    )


PAGES = _pages()

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - playwright is pinned in requirements.txt
    sync_playwright = None

SKIP = None
if not PAGES:
    SKIP = f"no built site at {SITE}: run `make book` first"
elif not os.access(CHROMIUM, os.X_OK):
    SKIP = f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM=path)"
elif sync_playwright is None:  # pragma: no cover
    SKIP = "the Python package playwright is not installed"
if SKIP and os.environ.get("NLLCE_BROWSER_TEST") == "required":  # set by .ci/run
    pytest.fail(f"the browser test cannot run: {SKIP}", pytrace=False)
if SKIP:
    pytestmark = pytest.mark.skip(reason=SKIP)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the server stays quiet in the test output
        pass


# Run in the page once it has loaded: wait for MathJax's first typesetting, make every image
# load now (not lazily) and wait for it to decode, then report what a reader would see.
INSPECT = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map(img => img.decode().catch(() => null)));

  const maths = [...document.querySelectorAll(".math")];
  const untypeset = maths
    .filter(el => !el.querySelector("mjx-container") && !el.closest("mjx-container"))
    .map(el => el.textContent.trim().slice(0, 80));
  const errors = [...document.querySelectorAll("mjx-merror, [data-mjx-error]")].map(
    el => (el.getAttribute("data-mjx-error") || el.textContent).slice(0, 120));
  // MathJax shows an undefined macro as red text, not as an error: read its MathML.
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) {
      const mml = MathJax.startup.toMML(item.root);
      const undefinedMacro = mml.match(/<mtext mathcolor="red">(\\\\[^<]*)<[/]mtext>/);
      if (undefinedMacro || mml.includes("<merror")) {
        errors.push(`${undefinedMacro ? "undefined " + undefinedMacro[1] : "error"} in ` +
          item.math.trim().slice(0, 80));
      }
    }
  }

  // Raw TeX left in the text: every text node outside code, scripts and typeset maths.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest(
      "pre, code, script, style, textarea, mjx-container, .highlight")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const raw = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent;
    for (const mark of ["$$", "\\\\(", "\\\\[", "\\\\begin{"]) {
      const i = t.indexOf(mark);
      if (i >= 0) raw.push(t.slice(Math.max(0, i - 30), i + 50).trim());
    }
  }

  const imgs = images.map(img => ({
    src: img.getAttribute("src"),
    url: img.currentSrc || img.src,
    alt: (img.getAttribute("alt") || "").trim(),
    width: img.naturalWidth,
    inFigure: !!img.closest("figure, .cell_output"),
  }));
  const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
  const ids = [...document.querySelectorAll("[id]")].map(el => el.id)
    .concat([...document.querySelectorAll("a[name]")].map(a => a.name));
  return {maths: maths.length, untypeset, errors, raw, imgs, links, ids,
          url: location.href};
}
"""

# A page that only sends the reader on (index.html): <meta http-equiv="Refresh" content="0; url=">
REFRESH = re.compile(r'<meta http-equiv="Refresh" content="\d+;\s*url=([^"]+)"', re.IGNORECASE)

# At a narrow viewport: does the page scroll sideways, and which elements stick out of it
# without being inside a box that scrolls on its own? Which boxes other than code and equations
# scroll sideways, and which cut their content off (a long inline formula in a box that hides
# what does not fit, say)?
OVERFLOW = """
(boxes) => {
  const width = document.documentElement.clientWidth;
  const scrollWidth = document.scrollingElement.scrollWidth;
  const describe = el => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
    ` "${el.textContent.replace(/\\s+/g, " ").trim().slice(0, 60)}"`;
  const offenders = [], cut = [], scrolling = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("mjx-container")) continue;  // MathJax's inner layout
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const style = getComputedStyle(el);
    if (r.right > width + 1 && !el.closest(boxes) && style.position !== "fixed") {
      const parent = el.parentElement;
      if (!parent || parent.closest(boxes) || parent.getBoundingClientRect().right <= width + 1) {
        offenders.push(`${describe(el)} (right edge at ${Math.round(r.right)} px)`);
      }
    }
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    // Inline maths: MathJax's box, not scrollWidth, says how wide the formula is.
    const formula = el.matches("span.math") && el.querySelector("mjx-math");
    const inner = formula ? formula.getBoundingClientRect().width : el.scrollWidth;
    const outer = formula ? r.width : el.clientWidth;
    if (style.overflowX === "visible" || inner <= outer + 2) continue;
    if (!scrolls && style.textOverflow !== "ellipsis") {
      cut.push(`${describe(el)} (${Math.round(inner)} px of content in ${Math.round(outer)} px)`);
    } else if (scrolls && !el.matches(boxes)) {
      scrolling.push(`${describe(el)} (${Math.round(inner)} px in ${Math.round(outer)} px)`);
    }
  }
  return {width, scrollWidth, offenders: offenders.slice(0, 10), cut, scrolling};
}
"""


@functools.cache
def _visit_site():
    """Serve the site, visit every page at both widths; return what each page showed."""
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    results = {}
    requests, failures, script_errors = [], [], []
    current = [None]  # the page being visited, for the event handlers
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport=DESKTOP,
                service_workers="block",
            )

            def route(r):
                # Nothing may leave the server: any other host is recorded and refused.
                if r.request.url.startswith(origin + "/") or r.request.url.startswith("data:"):
                    r.continue_()
                else:
                    r.abort()

            context.route("**/*", route)
            context.on("request", lambda r: requests.append((current[0], r.url)))
            context.on(
                "requestfailed",
                lambda r: failures.append((current[0], r.url, r.failure)),
            )
            context.on(
                "response",
                lambda r: r.status >= 400 and failures.append((current[0], r.url, r.status)),
            )
            page = context.new_page()
            page.on("pageerror", lambda e: script_errors.append((current[0], str(e))))
            page.on(
                "console",
                lambda m: m.type == "error" and script_errors.append((current[0], m.text)),
            )
            for name in PAGES:
                current[0] = name
                stem = name.removesuffix(".html").replace("/", "_")
                page.set_viewport_size(DESKTOP)
                url = f"{origin}/{name}"
                refresh = REFRESH.search((SITE / name).read_text(encoding="utf-8"))
                page.goto(url, wait_until="load")
                if refresh:  # a redirect page (index.html): follow it, check where it goes
                    target = urllib.parse.urljoin(url, refresh.group(1))
                    page.wait_for_url(target, wait_until="load")
                shown = page.evaluate(INSPECT)
                if refresh:  # its links are checked on the page it sends the reader to
                    shown["links"] = [target]
                page.screenshot(path=SCREENSHOTS / f"{stem}-desktop.png", full_page=True)
                page.set_viewport_size(NARROW)
                page.reload(wait_until="load")
                page.evaluate(INSPECT)  # the same wait for MathJax and images
                shown["narrow"] = page.evaluate(OVERFLOW, f"{SCROLL_BOXES}, {LAYOUT_BOXES}")
                page.screenshot(path=SCREENSHOTS / f"{stem}-narrow.png", full_page=True)
                results[name] = shown
            context.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    return {
        "origin": origin,
        "pages": results,
        "requests": requests,
        "failures": failures,
        "script_errors": script_errors,
    }


@pytest.fixture(scope="module")
def site():
    return _visit_site()


def _local_target(url: str, origin: str) -> tuple[Path, str] | None:
    """The file a local URL names and its fragment; None for another host or scheme."""
    if not url.startswith(origin + "/"):
        return None
    parts = urllib.parse.urlsplit(url)
    path = SITE / urllib.parse.unquote(parts.path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path, urllib.parse.unquote(parts.fragment)


def test_the_site_has_a_page_for_every_chapter_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    files = [line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line]
    missing = [f for f in files if f"{f}.html" not in PAGES]
    assert not missing, f"pages missing from the build (rebuild with `make book`): {missing}"


@pytest.mark.parametrize("name", PAGES)
def test_every_maths_element_is_typeset_without_error(site, name):
    shown = site["pages"][name]
    assert not shown["untypeset"], f"{name}: maths left untypeset by MathJax: {shown['untypeset']}"
    assert not shown["errors"], f"{name}: MathJax errors: {shown['errors']}"
    assert not shown["raw"], f"{name}: raw TeX delimiters in the visible text: {shown['raw']}"


@pytest.mark.parametrize("name", PAGES)
def test_every_image_is_decoded_and_has_its_own_alt_text(site, name):
    shown = site["pages"][name]
    broken = [img["src"] for img in shown["imgs"] if img["width"] == 0]
    assert not broken, f"{name}: images that did not load or decode: {broken}"
    no_alt = [
        img["src"]
        for img in shown["imgs"]
        if not img["alt"] or Path(img["src"]).name in img["alt"] or "_images/" in img["alt"]
    ]
    assert not no_alt, f"{name}: images without alt text of their own: {no_alt}"


@pytest.mark.parametrize("name", PAGES)
def test_every_local_link_and_anchor_resolves(site, name):
    origin, pages = site["origin"], site["pages"]
    ids_by_file = {SITE / page: set(shown["ids"]) for page, shown in pages.items()}
    bad = []
    for url in sorted(set(pages[name]["links"])):
        target = _local_target(url, origin)
        if target is None:
            continue  # another host (repository, Binder): a link a reader may follow, no request
        path, fragment = target
        if not path.is_file():
            bad.append(f"{url} (no file {path.relative_to(SITE)})")
        elif fragment and path in ids_by_file and fragment not in ids_by_file[path]:
            bad.append(f"{url} (no id {fragment!r} on {path.relative_to(SITE)})")
    assert not bad, f"{name}: broken local links: {bad}"


def test_no_request_leaves_the_local_server_and_none_fails(site):
    origin = site["origin"]
    elsewhere = sorted(
        {(page, url) for page, url in site["requests"] if not url.startswith((origin, "data:"))}
    )
    assert not elsewhere, f"requests to another host: {elsewhere}"
    assert not site["failures"], f"failed requests: {site['failures']}"
    assert site["requests"], "no request was recorded at all"


def test_no_script_error_on_any_page(site):
    assert not site["script_errors"], f"script errors: {site['script_errors']}"


@pytest.mark.parametrize("name", PAGES)
def test_no_sideways_scroll_at_375_px_outside_code_and_equation_boxes(site, name):
    narrow = site["pages"][name]["narrow"]
    assert narrow["scrollWidth"] <= narrow["width"], (
        f"{name}: at {narrow['width']} px the page is {narrow['scrollWidth']} px wide; "
        f"sticking out: {narrow['offenders']}"
    )
    assert not narrow["scrolling"], (
        f"{name}: at {narrow['width']} px boxes other than code and equations scroll sideways: "
        f"{narrow['scrolling']}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_cut_off_at_375_px(site, name):
    narrow = site["pages"][name]["narrow"]
    assert not narrow["cut"], (
        f"{name}: at {narrow['width']} px content is cut off where it does not fit: {narrow['cut']}"
    )
