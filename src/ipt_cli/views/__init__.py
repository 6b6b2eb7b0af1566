"""Renderings of core results: the terminal (the only place Rich draws), Markdown
(markdown.py), JSON (json_shapes.py), HTML, the words those views share (wording.py), the
guide, `ipt list` as plain lines (listing.py: a pipe gets them without Rich), and the one
output seam (`output.Output`) that routes data, messages and safety notices to stdout and
stderr.

Views never read or write files. May import: `ipt_cli.store` (for types), `ipt_cli.core`,
`ipt_cli.errors`, and Rich (lazily, so that `ipt --help` never pays for it).
"""
