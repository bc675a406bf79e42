"""Two fixes to the pages of the site, found by the browser test (tests/test_site.py).

- Two inline scripts (sphinx-thebe's configuration, togglebutton's selector) reach every page
  twice, once registered with the file name ``None`` and once with ``""``, so Sphinx does not
  see them as the same: every page declared ``const THEBE_JS_URL`` twice, a script error in
  every reader's console. Each page now gets each script once.
- At a phone's width (375 px) long function names, inline code and the index tables widened
  the page so that it scrolled sideways; ``site.css`` lets them wrap instead.
"""

from pathlib import Path

STATIC = Path(__file__).parent / "static"


def _each_script_once(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            key = (str(script.filename or ""), tuple(sorted(script.attributes.items())))
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique


def _add_static_path(app, config):
    config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", _add_static_path)
    app.connect("html-page-context", _each_script_once, priority=900)
    app.add_css_file("site.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
