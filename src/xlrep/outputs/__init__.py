"""What an audit becomes: the report (``report``: one model, one module per format, rendered to bytes), the
annotated copy of the workbook (``annotate``) and findings as CSV (``csvtable``) — library code the command line
and the site share.

May import: common, edition, workbook, checks, auditing
"""
