"""What every layer uses: untrusted text made safe for where it goes (``safetext``), inputs and outputs on disk or
as bytes (``files``: one set of input checks, one target check, atomic writes), the errors a user can act on
(``errors``), findings as data (``findings``: rule, severity, message, cells, values; the severities and the
findings CSV columns, each said once), lines on a terminal (``terminal``), A1 column letters (``a1``), sentences
and the numbers written in them (``sentences``, ``figures``), and the published formats xlrep reads
(``published_formats``).

May import: nothing
"""
