"""Judging what was read: the rule catalogue (``rules``: each rule one class with its ID, severity, title and
check; the one source of IDs and severities for findings), the narrative read statement by statement
(``statements``, one module per statement kind) and its claims and years (``narrative``), and what carries over
from last year's workbook (``previous``).

May import: common, edition, workbook
"""
