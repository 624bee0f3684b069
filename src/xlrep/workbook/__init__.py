"""The workbook itself: where every cell sits (``layout`` places cells by id and nothing else), every computed
cell described once in one small expression language (``cellexpr``; the descriptions in ``computed`` and
``paragraphs``) and rendered twice — its Python value (``engine``, ``drafting``) and its Excel formula
(``formulas``) — and the reading side: the strict, bounded part reader (``xlsx``), what a workbook holds as stored
(``reader`` → ``readresult``), and whether a formula found means what the template wrote (``formula_meaning``).

May import: common, edition
"""
