"""The HTML report and notes on paper (issue 27, item 7): printed by headless Chromium to PDF
on A4 and on Letter, and read back with poppler (pdftotext, pdfinfo, pdftoppm).

A realistic course (the shipped dispute-partner example, then a risk review, a changed
medication, a renegotiated contract, every session signed, a missed appointment at moderate
risk, a supervisor's comment and a signed addendum, all through the installed `ipt`) is
printed; each page must carry the running header (course, client, session) and "Page N of
M", no page may end with a heading, no word or box may run past the page's content box, and
no command hint may reach the paper. Skipped where Chromium or poppler-utils is missing
(`.ci/run` installs them when it can); run alone with `python -m pytest -m print`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipt_cli.cli.app import app
from ipt_cli.views import console
from tests.conftest import EXAMPLES, RunIpt, ipt_command

CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm"))
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or not POPPLER,
    reason="needs Chromium and poppler-utils (apt-get install chromium poppler-utils)",
)
pytestmark = pytest.mark.print

COURSE, CLIENT, TODAY, SIGNER = "dispute-partner", "J.R.", "2026-06-01", "Dr K. Example"
MARGIN_PT = 16 / 25.4 * 72  # the left and right page margins (views/print_page.py), 16 mm
SIZES = {"A4": (595.0, 842.0), "Letter": (612.0, 792.0)}  # points
HINTS = (
    "ipt sign",
    "ipt contact",
    "ipt verify",
    "ipt risk-review",
    "ipt rhythm",
    "ipt session",
    "COURSE_ID",
)


@dataclass
class Printed:
    html: Path
    headings: set[str]  # every h1-h3 of the page, case-folded (the note's print in capitals)


@dataclass
class Course:
    folder: Path
    report: Printed
    notes: Printed
    text_report: str
    hashes: list[str]  # every signed note's SHA-256
    run: Callable[..., str]


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth, self.found, self.current = 0, set[str](), ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self.depth, self.current = 1, ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3") and self.depth:
            self.found.add(" ".join(self.current.split()).casefold())
            self.depth = 0

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.current += data


def _printed(path: Path) -> Printed:
    parser = _Headings()
    parser.feed(path.read_text(encoding="utf-8"))
    return Printed(path, parser.found)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """The course, set up once (in-process: the same commands), with its report and notes
    as HTML from the real binary."""
    root = tmp_path_factory.mktemp("print")
    home = root / "home"
    (home / "courses").mkdir(parents=True)
    shutil.copy(EXAMPLES / f"{COURSE}.toml", home / "courses" / f"{COURSE}.toml")
    for path in (home, home / "courses", home / "courses" / f"{COURSE}.toml"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPT_")}
    env.update(
        IPT_HOME=str(home),
        IPT_TODAY=TODAY,
        NO_COLOR="1",
        COLUMNS="80",
        PAGER="cat",
        XDG_CONFIG_HOME=str(root / "config"),
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [*ipt_command(), *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0, f"ipt {' '.join(args)}: {done.stderr}"
        return done.stdout

    def setup(*args: str) -> None:
        """As `run`, in this process (~20 ms instead of a start of the binary)."""
        console.out.cache_clear()  # as conftest's run_ipt: each run sees its own terminal
        console.err.cache_clear()
        cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("IPT_")}
        done = CliRunner().invoke(app, list(args), env={**cleared, **env}, prog_name="ipt")
        assert done.exit_code == 0, f"ipt {' '.join(args)}: {done.stderr} {done.exception!r}"

    setup(
        "risk-review", COURSE, "--session", "3", "--date", "2026-01-26", "--note",
        "Passive thoughts after the row with D.; no plan or intent", "--ideation", "passive",
        "--level", "moderate", "--action", "Safety plan written", "--by", SIGNER, "--no-input",
    )  # fmt: skip
    setup("course", COURSE, "set", "--medication", "Sertraline 50 mg started by the GP")
    setup("contract", COURSE, "--sessions", "18", "--reason", "Two sessions lost to illness")
    setup("sign", COURSE, "--all", "--by", SIGNER)
    setup("session", COURSE, "--date", "2026-04-06", "--missed", "Unwell, did not call")
    setup("supervise", COURSE, "3", "--comment", "Good risk work", "--by", "Dr S. Supervisor")
    setup("session", COURSE, "--amend", "5", "--note", "D. phoned: the talk had helped.")
    run("report", COURSE, "-o", str(root / "report.html"))  # the extension chooses HTML
    run("note", COURSE, "--all", "--format", "html", "-o", str(root / "notes.html"))
    notes = json.loads(run("note", COURSE, "--all", "--json"))
    hashes = [n["signed"]["hash"] for n in notes if n["signed"]]
    assert len(hashes) == 12
    return Course(
        root,
        _printed(root / "report.html"),
        _printed(root / "notes.html"),
        run("report", COURSE),
        hashes,
        run,
    )


@dataclass
class Pdf:
    pages: list[list[str]]  # each page's lines (pdftotext -layout), blank ones dropped
    size: tuple[float, float]
    words: list[tuple[int, float, float, str]]  # page, xMin, xMax, word (pdftotext -bbox)
    images: list[Path]  # each page in grey at 200 dpi (pdftoppm)


def _print(html: Path, size: str) -> Pdf:
    """`html` printed by headless Chromium on paper of `size` (an @page rule added last)."""
    page = html.read_text(encoding="utf-8")
    sized = html.with_name(f"{html.stem}-{size}.html")
    sized.write_text(page.replace("</head>", f"<style>@page {{ size: {size}; }}</style></head>"))
    pdf = sized.with_suffix(".pdf")
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={html.parent / f'chromium-{size}'}",
            "--no-pdf-header-footer", f"--print-to-pdf={pdf}", sized.as_uri(),
        ],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert pdf.exists(), "Chromium wrote no PDF"
    text = _run("pdftotext", "-layout", str(pdf), "-")
    pages = [[line for line in p.splitlines() if line.strip()] for p in text.split("\f")]
    info = _run("pdfinfo", str(pdf))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    bbox = _run("pdftotext", "-bbox", str(pdf), "-")
    words, number = [], 0
    for line in bbox.splitlines():
        if line.lstrip().startswith("<page "):
            number += 1
        found = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" .*>(.*)</word>', line)
        if found:
            words.append((number, float(found[1]), float(found[2]), unescape(found[3])))
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "200", str(pdf), str(pdf.with_suffix(""))],
        check=True, timeout=60,
    )  # fmt: skip
    images = sorted(pdf.parent.glob(f"{pdf.stem}-*.pgm"))
    return Pdf([p for p in pages if p], (width, height), words, images)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _grey(path: Path) -> tuple[int, int, bytes]:
    """A binary PGM (P5) page image: width, height and one byte per pixel."""
    data = path.read_bytes()
    magic, width, height, _, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    return int(width), int(height), pixels


_DARK = bytes(1 if value < 170 else 0 for value in range(256))


def _cut_boxes(path: Path) -> list[int]:
    """The rows where a box opens (a long dark rule with a border going down from its left
    end) whose right border is missing or clipped by the page's edge to a sliver of the
    left one's ink: a box cut off at the right."""
    width, height, pixels = _grey(path)

    def ink(x: int, y: int) -> int:  # the faintest of the rows just below (x, y), near x
        return min(
            sum(
                255 - pixels[(y + dy) * width + x + dx]
                for dx in range(-4, 5)
                if 0 <= x + dx < width
            )
            for dy in range(6, 14)
            if y + dy < height
        )

    cut = []
    for y in range(height - 14):
        mask = pixels[y * width : (y + 1) * width].translate(_DARK)
        for rule in re.finditer(rb"\x01{%d,}" % int(width * 0.4), mask):
            left, right = ink(rule.start(), y), ink(rule.end() - 1, y)
            if left > 150 and right < left / 2:
                cut.append(y)
    return cut


def _check_paper(pdf: Pdf, size: str, printed: Printed, header: Callable[[int], str]) -> None:
    """What every printed page must hold, whatever the document."""
    assert pdf.size == pytest.approx(SIZES[size], abs=1.5), f"not printed on {size}"
    total = len(pdf.pages)
    for number, lines in enumerate(pdf.pages, 1):
        where = f"page {number} of {total} on {size}"
        assert lines[0].strip().startswith(header(number)), f"{where}: running header {lines[0]!r}"
        footer = " ".join(lines[-1].split())
        assert footer == f"Generated {TODAY} Page {number} of {total}", f"{where}: {footer!r}"
        body = lines[1:-1]
        assert body, f"{where}: a page with only its header"
        last = " ".join(body[-1].split()).casefold()
        assert last not in printed.headings, f"{where} ends with the heading {body[-1]!r}"
        text = "\n".join(body)
        for hint in HINTS:
            assert hint not in text, f"{where}: the command hint {hint!r} is on paper"
    width = pdf.size[0]
    outside = [w for w in pdf.words if w[1] < MARGIN_PT - 1.5 or w[2] > width - MARGIN_PT + 1.5]
    assert not outside, f"words past the content box on {size}: {outside[:5]}"
    assert len(pdf.images) == total
    for number, image in enumerate(pdf.images, 1):
        assert not _cut_boxes(image), f"page {number} on {size}: a box cut off at its right"


@pytest.fixture(scope="module")
def printed_pdfs(course: Course) -> dict[tuple[str, str], Pdf]:
    return {}


def _pdf(cache: dict[tuple[str, str], Pdf], printed: Printed, size: str) -> Pdf:
    key = (printed.html.name, size)
    if key not in cache:
        cache[key] = _print(printed.html, size)
    return cache[key]


@pytest.mark.e2e
@needs_chromium
@pytest.mark.parametrize("size", SIZES)
def test_the_report_prints_whole_on_a4_and_letter(
    course: Course, printed_pdfs: dict[tuple[str, str], Pdf], size: str
) -> None:
    pdf = _pdf(printed_pdfs, course.report, size)
    running = f"IPT progress report: {COURSE}, {CLIENT}; middle (session 13 of 18)"
    _check_paper(pdf, size, course.report, lambda _: running)
    lines = [" ".join(line.split()) for page in pdf.pages for line in page]
    text = "\n".join(lines)
    assert f"Progress report generated {TODAY}" in text
    # every section of the text report is on paper
    for shown in (
        "Sick role given (Cut down to four days a week for a month.)",
        "Medication Sertraline 50 mg started by the GP",
        "Next session 2026-04-13 (OVERDUE)",
        "Contract changes",
        "Two sessions lost to illness",
        "History of changes",
        "Techniques used",
        "communication-analysis 4",
        "Formulation (agreed)",
        "Between-session tasks",
        "Risk reviews",
        "Supervision",
        "Signatures",
        "FOLLOW-UP: missed session 13 on 2026-04-06 at moderate risk: contact the client",
    ):
        assert shown in text, f"{shown!r} is not on paper ({size})"
    on_paper = {  # each row of the text report's header, and where the paper shows it
        "Course": f"Course {COURSE} (clinician-led)",
        "Client": f"Client {CLIENT}",
        "Risk": "Standing risk level: moderate",
        "Follow-up": "FOLLOW-UP:",
        "Problem areas": "Problem areas Role dispute (dispute stage: renegotiation)",
        "Sick role": "Sick role given",
        "Medication": "Medication Sertraline",
        "Contract": "Contract changes",
        "Changed": "History of changes",
    }
    for label in re.findall(r"^│ ([A-Z][a-z-]+(?: [a-z]+)?)  ", course.text_report, re.M):
        if label in on_paper:
            assert on_paper[label] in text, f"the text report's {label!r} is not on paper"
        else:
            assert re.search(rf"^{label} ", text, re.M), f"{label!r} is not on paper ({size})"
    # each sitting's score as a number beside its chart, not only in a hover title
    report = json.loads(course.run("report", COURSE, "--json"))
    for measure in ("phq9", "gad7"):
        for point in report["measures"][measure]["series"]:
            label = "Baseline" if point["session"] == 0 else str(point["session"])
            row = rf"^{label} {point['date']} {point['total']}\b"
            assert any(re.search(row, line) for line in lines), f"{measure} {label} ({size})"


@pytest.mark.e2e
@needs_chromium
def test_a_flagged_sitting_is_named_on_paper_beside_each_chart(
    course: Course, printed_pdfs: dict[tuple[str, str], Pdf]
) -> None:
    """The charts ring the point of a sitting that raised a safety flag and mark it "!",
    with a legend; on paper the sitting is also named in words under each chart."""
    pdf = _pdf(printed_pdfs, course.report, "A4")
    text = " ".join(" ".join(line.split()) for page in pdf.pages for line in page)
    said = "Safety flag raised at: session 3 (2026-01-26): PHQ-9 item 9 = 1, reviewed."
    assert text.count(said) == 1  # under the PHQ-9's chart (no GAD-7 was given there)
    legend = "a safety flag was raised at this sitting (ringed; ! under its session)"
    assert text.count(legend) == 1  # that chart's legend, printed


@pytest.mark.e2e
@needs_chromium
@pytest.mark.parametrize("size", SIZES)
def test_every_note_prints_whole_on_a4_and_letter(
    course: Course, printed_pdfs: dict[tuple[str, str], Pdf], size: str
) -> None:
    pdf = _pdf(printed_pdfs, course.notes, size)
    titles = re.findall(r"<h1>IPT progress note: [^,]+, (.*?)</h1>", course.notes.html.read_text())
    starts: list[int] = []  # the page each note starts on: its h1
    for number, lines in enumerate(pdf.pages, 1):
        if any(line.strip().startswith("IPT progress note: dispute") for line in lines[1:]):
            starts.append(number)
    assert len(starts) == len(titles) == 13  # 12 sessions and the missed appointment

    def header(page: int) -> str:  # the note that this page belongs to
        title = unescape(titles[sum(start <= page for start in starts) - 1])
        return f"IPT progress note: {COURSE}, {CLIENT}; {title}"

    _check_paper(pdf, size, course.notes, header)
    for number, lines in enumerate(pdf.pages, 1):
        assert lines[1].strip() != "SIGNATURE", f"page {number} ({size}): a signature alone"
    text = "\n".join(line for page in pdf.pages for line in page)
    assert text.count(f"Signed by {SIGNER}") == 12
    for sha in course.hashes:  # whole, on one line: never broken mid-word or cut
        assert re.search(rf"SHA-256 {sha}\b", text), f"SHA-256 {sha[:12]}... not whole ({size})"
    assert "Not signed." in text  # the missed appointment's note, its command left off
    assert "D. phoned: the talk had helped." in text


@pytest.mark.e2e
def test_the_html_keeps_command_hints_off_paper_and_has_no_empty_row(course: Course) -> None:
    """Without a browser: on screen the hints stay (marked, and hidden by @media print);
    the report's table of the course has no empty header row."""
    report = course.report.html.read_text(encoding="utf-8")
    notes = course.notes.html.read_text(encoding="utf-8")
    for page in (report, notes):
        assert ".cli { display: none; }" in page.split("@media print")[-1]
        assert "<th></th>" not in page
    assert '<span class="cli"> (then: ipt contact dispute-partner' in report
    assert '<span class="cli"> (ipt sign COURSE_ID SESSION)</span>.' in notes
    assert re.search(r"@page note-13 \{ @top-left \{ content: \"IPT progress note: ", notes)


def test_the_running_header_escapes_the_client_alias(run_ipt: RunIpt) -> None:
    """The alias goes into a CSS string in <style>: it can end neither the string nor the
    element, whatever it holds."""
    alias = '</style><script>x()</script>"\\} @page {'
    run_ipt(
        "new-course", "xx", "--client", alias, "--problem-area", "grief", "--start", "2026-02-16",
        "--no-input",
    )  # fmt: skip
    run_ipt("session", "xx", "--date", "2026-02-23", "--note", "First")
    for page in (
        run_ipt("report", "xx", "--format", "html").stdout,
        run_ipt("note", "xx", "--all", "--format", "html").stdout,
    ):
        style = page.split("<style>", 1)[1].split("</style>", 1)[0]
        assert "<" not in style and '"\\}' not in style
        assert "\\00003c/style\\00003e\\00003cscript\\00003ex()" in style  # hex-escaped
        assert page.count("</style>") == 1 and "<script>" not in page
