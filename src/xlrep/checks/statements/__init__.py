"""What the narrative states, and whether the tables agree: a small grammar of report statements.

``read_statements(text)`` reads one narrative part into statements — a figure (or a
sum of figures), an optional column or qualifier, a number, its unit and its scope —
the way a careful reader does: the topic (申请 / 行政复议 / 行政诉讼) is carried from
sentence to sentence within the part, ``A及B 42件`` is a combined figure, ``其中``
lists and ``涉及自然人72件、商业企业3件`` speak of the figure stated before, ``占51.85%``
is the share of the figure just stated, ``同比增长12.3%`` a change against last year.

``compare(statements, figures, values, previous_values)`` checks them against the
tables. A statement is flagged only when *no* reading of it fits the tables
(shares within the stated precision); statements whose meaning stays unclear are
never produced. A correct statement must never be flagged: a false flag costs more
than a miss.

``narrative_figures(form)`` (``figures``) says which table figures the narrative
can speak of: the edition file's declared figures and the rows of 表二, with their
qualifiers; the words of ``vocabulary`` name them.

The package, by statement kind: ``vocabulary`` (every word and pattern), ``model`` (the records), ``grammar``
(what every kind shares: the lexicon, numbers, topics, a number's context, the subject of a share or change, the
scope), one module per kind — ``requests`` (表三), ``cases`` (表四 and its zero claims), ``rows`` (表二),
``shares``, ``changes`` —, ``reading`` (a part read sentence by sentence, each number given to its kind) and
``comparing`` (the tables against the statements).
"""

from __future__ import annotations

from ...common.figures import NarrativeFigure, narrative_figures
from .comparing import compare
from .model import Hint, Mismatch, Statement
from .reading import MAX_SENTENCE, long_sentences, read_statements
from .vocabulary import T2_ROWS, T3_VERBS, T4_WORDS

__all__ = [
    "MAX_SENTENCE",
    "T2_ROWS",
    "T3_VERBS",
    "T4_WORDS",
    "Hint",
    "Mismatch",
    "NarrativeFigure",
    "Statement",
    "compare",
    "long_sentences",
    "narrative_figures",
    "read_statements",
]
