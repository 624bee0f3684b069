"""Printing to the terminal: every line through ``safetext.for_terminal``.

Messages quote workbook text (机关名称, narrative sentences, sheet names) and file names;
a control sequence or bidi override in them is shown, never acted on.
"""

from __future__ import annotations

import click

from .safetext import for_terminal, quoted_names


def say(text: str = "", **style) -> None:
    """One line (or more) on standard error, coloured on a terminal when ``style`` asks for it.
    A “quoted” file name that is not UTF-8 shows each of its bytes as �."""
    click.secho(for_terminal(quoted_names(text), keep_newlines=True), err=True, **style)


def out(text: str = "", **kwargs) -> None:
    """Text on standard output (the report, the JSON): control characters made visible, lines kept."""
    click.echo(for_terminal(quoted_names(text), keep_newlines=True), **kwargs)
