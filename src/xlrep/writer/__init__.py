"""The locked workbook xlrep hands out: form + layout + computed cells → the .xlsx (``template``, XlsxWriter, with
its 填报说明 listing the rules that apply while filling), and what a template is prefilled with and for which
years (``template_inputs``, shared by the command line and the site).

May import: common, edition, workbook, checks
"""
