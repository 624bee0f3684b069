"""The library's audit: ``ingest.audit(path or bytes)`` reads a filled workbook (or imports a published report on
the fly) and runs the rule catalogue; ``Audit`` and its JSON are what every output starts from.

May import: common, edition, workbook, checks, importing
"""
