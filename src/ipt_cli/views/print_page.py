"""What the HTML report and the HTML note share on paper (issue 27): a running header and
page numbers in the page's margin boxes, the date generated, headings kept with what
follows, rows never split, long words wrapped, and command hints left off the paper.

The running header and the page numbers are CSS @page margin boxes (CSS Paged Media),
which Chromium draws since version 131 (`--print-to-pdf` included; tests/e2e/test_print.py
checks it with pdftotext). A browser without them prints the pages without the header;
the first page's title and date still name the course. Pure: builds strings only."""

from __future__ import annotations

import datetime as dt
import re
from html import escape as _html_escape

from ipt_cli.views.text_safety import terminal_safe

# Letters, digits and a few harmless marks stay as they are in a CSS string; anything else
# (quotes, backslashes, '<', non-ASCII) becomes a hex escape, so that no user text can end
# the string, the rule or the <style> element.
_CSS_PLAIN = re.compile(r"[A-Za-z0-9 ,.:;()/_+#-]")

# A command hint in a line ipt wrote (never in user text): "(ipt sign COURSE_ID SESSION)",
# "(then: ipt contact ab --date DATE --note TEXT)", ": ipt rhythm ab --out-of-bed HH:MM ...",
# ": run ipt verify". On screen it stays; on paper (@media print) it is hidden.
_HINT = re.compile(r"\s*\((?:then: )?ipt [a-z][^()]*\)|:? (?:run )?ipt [a-z][a-z-]*[^();]*")


# The page style of the HTML report and of `ipt outcomes --format html`.
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 760px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
tbody th { font-weight: 600; background: #f5f5f5; }
.flags { border: 3px solid #c62828; padding: 0.5em 1em; color: #c62828; font-weight: bold; }
.warnings { border: 3px solid #e65100; padding: 0.5em 1em; color: #e65100; font-weight: bold; }
figure.chart { margin: 0 0 1em; }
figure.chart table { margin: .3em 0 0; font-size: .9em; }
figure.chart td, figure.chart th { padding: 1px 8px; }
tr.event td { color: #555; font-style: italic; }
svg { max-width: 100%; height: auto; }
svg text { font-size: 11px; }
svg text.value { font-size: 10px; font-weight: bold; fill: #0d47a1; }
ul.checklist { list-style: none; padding-left: 1em; }
"""


def escape(text: str) -> str:
    """User text in HTML: never markup, and no control character (text_safety)."""
    return _html_escape(terminal_safe(text))


def css_string(text: str) -> str:
    """`text` as a double-quoted CSS string (for a margin box's content)."""
    shown = terminal_safe(text)
    return '"' + "".join(c if _CSS_PLAIN.match(c) else f"\\{ord(c):06x}" for c in shown) + '"'


def hinted(text: str) -> str:
    """A line ipt wrote, escaped, with its command hints marked (class "cli") so that the
    print stylesheet leaves them off the paper. Never for user text: a note that mentions
    "ipt" is printed whole."""
    out, at = [], 0
    for match in _HINT.finditer(text):
        out.append(escape(text[at : match.start()]))
        out.append(f'<span class="cli">{escape(match.group())}</span>')
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)


def page_rule(header: str, generated: dt.date, name: str | None = None) -> str:
    """An @page rule (a named page when `name` is given) whose margin boxes carry the
    running header, the date generated and "Page N of M"."""
    selector = f"@page {name}" if name else "@page"
    return (
        f"{selector} {{ @top-left {{ content: {css_string(header)}; }} "
        f"@bottom-left {{ content: {css_string(f'Generated {generated.isoformat()}')}; }} "
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); } }\n'
    )


PRINT_CSS = """
@page { size: auto; margin: 20mm 16mm 18mm;
  @top-left { font: 8.5pt system-ui, sans-serif; color: #444; vertical-align: bottom; }
  @bottom-left { font: 8.5pt system-ui, sans-serif; color: #444; vertical-align: top; }
  @bottom-right { font: 8.5pt system-ui, sans-serif; color: #444; vertical-align: top; } }
body { overflow-wrap: break-word; }
.generated { color: #555; font-size: .9em; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
tr, li, p, svg, figure, .flags, .warnings, .signature { break-inside: avoid;
  page-break-inside: avoid; }
p, li, td { orphans: 3; widows: 3; }
thead { display: table-header-group; }
@media print {
  body { max-width: none; margin: 0; padding: 0 2px; font-size: 10pt; }
  .cli { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""
