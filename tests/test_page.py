"""``compare.py report``: the page, as Chromium renders it, shows the files on disk and the run's verdicts.

The page is opened in Debian's headless ``chromium`` (``make test`` installs it; this test installs
nothing) and read back from the DOM after its script ran: every block has one code panel per framework
whose text is that framework's file, the mapping table is the run's inventory, and every badge is the
verdict of the run's JSON. The Markdown written by the same run is checked the same way.
"""

import html.parser
import inspect
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

import backends
import specs
from harness.pool import ROOT

BLOCKS = ["mlp", "my_linear_data_attr", "chimera"]  # a pass, a deliberate failure, a block with a constant
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self) -> list:
        return (self.attrs.get("class") or "").split()

    def all(self, tag=None, cls=None, **data):
        """Descendants with that tag, class and data- attributes (``data_block="mlp"``)."""
        for c in self.children:
            if isinstance(c, Node):
                if ((tag is None or c.tag == tag) and (cls is None or cls in c.classes())
                        and all(c.attrs.get(k.replace("_", "-")) == v for k, v in data.items())):
                    yield c
                yield from c.all(tag, cls, **data)

    def one(self, tag=None, cls=None, **data):
        found = list(self.all(tag, cls, **data))
        assert len(found) == 1, f"expected one <{tag} class={cls} {data}>, found {len(found)}"
        return found[0]


class Tree(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#document", [], None)
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def shape(s):
    return "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"


def fmt(x):
    return "—" if x is None else f"{x:.1e}"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """One `report` run: the HTML page, its Markdown, the run's JSON, and the DOM Chromium rendered."""
    exe = shutil.which("chromium")
    assert exe, "chromium is not installed: `make test` installs Debian's chromium (apt-get install chromium)"
    d = tmp_path_factory.mktemp("page")
    cmd = [sys.executable, "compare.py", "report", *BLOCKS, "--html", str(d / "page.html"), "--md",
           str(d / "page.md"), "--json", str(d / "run.json"), "--backends", "all", "--quiet"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, f"the variant must fail, the rest pass:\n{proc.stdout}\n{proc.stderr}"
    url = (d / "page.html").as_uri() + "#view=keras"  # the page's script opens every block on its Keras tab
    dom = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={d / 'profile'}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=300)
    assert dom.returncode == 0 and "</body>" in dom.stdout, dom.stderr[-3000:]
    return {"html": (d / "page.html").read_text(), "md": (d / "page.md").read_text(),
            "run": json.loads((d / "run.json").read_text()), "dom": Tree(dom.stdout).root}


def section(dom, name):
    return dom.one("section", cls="block", data_block=name)


def test_every_block_shows_one_panel_per_framework_with_the_file_on_disk(page):
    dom = page["dom"]
    assert [a.attrs["data-block"] for a in dom.one("nav").all("a") if "data-block" in a.attrs] == BLOCKS
    for name in BLOCKS:
        spec, _ = specs.resolve(name)
        block = section(dom, name)
        panels = list(block.all("code", cls="source"))
        assert [p.attrs["data-backend"] for p in panels] == backends.names(), name
        for p in panels:
            path = f"backends/{p.attrs['data-backend']}/{spec.module}.py"
            assert p.attrs["data-path"] == path
            assert p.text() == (ROOT / path).read_text(), f"{name}: the {path} panel is not the file on disk"
        assert block.one("pre", cls="reference").text() == inspect.getsource(spec.reference)


def test_the_script_ran_and_opened_the_tab_named_in_the_address(page):
    dom = page["dom"]
    assert dom.one("body").attrs.get("data-ready") == "1", "the page's script did not run"
    boxes = list(dom.all("div", cls="realisations"))
    assert len(boxes) == len(BLOCKS), f"{len(boxes)} realisation boxes for {len(BLOCKS)} blocks"
    for box in boxes:
        assert "view-tab" in box.classes() and "view-side" not in box.classes(), box.classes()
        assert [t.attrs["data-view"] for t in box.all("button", cls="tab")] == [*backends.names(), "side"]
        assert [p.attrs["data-backend"] for p in box.all("figure", cls="active")] == ["keras"]
    # as written, before any script: side by side, every panel visible
    assert page["html"].count('class="realisations view-side"') == len(BLOCKS)


def test_results_and_mapping_are_the_runs(page):
    dom, run = page["dom"], page["run"]
    assert {r["spec"] for r in run["results"]} == set(BLOCKS)
    for r in run["results"]:
        where = f"{r['spec']}[{r['backend']}]"
        block = section(dom, r["spec"])
        badge = block.one("span", cls="badge", data_backend=r["backend"], data_status=r["status"])
        assert r["status"] in badge.classes(), f"{where}: badge {badge.classes()}"
        overview = dom.one("span", cls="badge", data_block=r["spec"], data_backend=r["backend"])
        assert r["status"] in overview.classes(), f"{where}: overview badge {overview.classes()}"
        for c in r["checks"]:
            verdict = "pass" if c["passed"] else "fail"
            row = block.one("tr", data_backend=r["backend"], data_quantity=c["quantity"])
            assert row.attrs["data-verdict"] == verdict, f"{where} {c['quantity']}: the page says {row.attrs}"
            assert row.one("span", cls="badge").text().endswith(verdict) and verdict in row.one(cls="badge").classes()
            assert row.one("td", cls="rel").text() == fmt(c["max_rel_err"]), f"{where} {c['quantity']}"
            assert row.one("td", cls="abs").text() == fmt(c["max_abs_err"]), f"{where} {c['quantity']}"
        cells = {td.attrs["data-canonical"]: (td.attrs["data-native"], td.text())
                 for td in block.all("td", data_backend=r["backend"]) if "data-canonical" in td.attrs}
        assert cells == {p["canonical"]: (p["native"], f"{p['native']} {shape(p['shape'])}")
                         for p in r["native_params"]}, where
    statuses = {(r["spec"], r["backend"]): r["status"] for r in run["results"]}
    assert {s for (n, _), s in statuses.items() if n == "my_linear_data_attr"} == {"fail"}
    assert {s for (n, _), s in statuses.items() if n != "my_linear_data_attr"} == {"pass"}
    chimera = section(dom, "chimera")
    assert chimera.one("td", data_backend="flax", data_canonical="2.rand_weight").attrs["data-native"]


def test_page_is_self_contained(page):
    for node in page["dom"].all():
        for attr in ("src", "href"):
            value = node.attrs.get(attr)
            assert value is None or value.startswith("#"), f"<{node.tag} {attr}={value!r}> reaches outside the page"
    assert "<link" not in page["html"] and "@import" not in page["html"] and "url(" not in page["html"]


def test_markdown_has_the_same_sources_and_verdicts(page):
    md, run = page["md"], page["run"]
    for name in BLOCKS:
        spec, _ = specs.resolve(name)
        part = md.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for b in backends.names():
            path = f"backends/{b}/{spec.module}.py"
            m = re.search(rf"### {backends.info(b).LABEL} — `{re.escape(path)}`\n\n(`{{3,}})python\n(.*?)\n\1\n", part,
                          re.S)
            assert m and m.group(2) + "\n" == (ROOT / path).read_text(), f"{name}: {path} in the Markdown"
        rows = [line.split(" | ") for line in part.splitlines() if line.startswith("| ")]
        got = {(cells[0][2:], cells[1].strip("`")): cells[7] for cells in rows
               if re.fullmatch(r"`(output|grad:).*`", cells[1])}
        want = {(backends.info(r["backend"]).LABEL, c["quantity"]): "✓ pass" if c["passed"] else "✗ fail"
                for r in run["results"] if r["spec"] == name for c in r["checks"]}
        assert want, f"{name}: the run has no checks for it, so there is nothing to compare the Markdown with"
        assert got == want, name


def test_a_missing_framework_shows_as_skipped_not_a_crash(tmp_path):
    env = {**os.environ, "BLOCKPARITY_PYTHON_GLUON": str(tmp_path / "no-python")}
    proc = subprocess.run([sys.executable, "compare.py", "report", "mlp", "--backends", "torch,gluon", "--html",
                           str(tmp_path / "p.html"), "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    block = section(Tree((tmp_path / "p.html").read_text()).root, "mlp")
    assert "skipped" in block.one("span", cls="badge", data_backend="gluon").classes()
    row = block.one("tr", data_backend="gluon")
    assert row.attrs["data-status"] == "skipped" and "no interpreter" in row.text()
    assert block.one("code", cls="source", data_backend="gluon").text() == (ROOT / "backends/gluon/mlp.py").read_text()
    assert not [td for td in block.all("td", data_backend="gluon") if "data-native" in td.attrs]
