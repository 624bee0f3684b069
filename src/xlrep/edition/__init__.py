"""The national format as data: each edition's TOML file read into a typed ``Form`` (sheets, official labels, input
cells, totals, checks, roles, relations, limits, figures, carry-over; ``form``), discovery and the year → edition
choice, and what a stored cell value means as a number (``cellvalue``).

May import: common
"""
