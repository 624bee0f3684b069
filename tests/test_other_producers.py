"""Files from other producers (issue 19): what other .xlsx writers do, read exactly as the template itself.

A filled template of each edition (a date typed in, cached results as Excel leaves them) is rewritten as other
programs write workbooks (``producers``): inline strings, shared formulas, no cached results, a one-cell
``<dimension>``, the 1904 date system, styles without the default records, absolute relationship targets,
upper-case part names — one at a time and all together. ``xlrep ingest`` must read each exactly as the
original: the identity, every value (the date too), every finding.
"""

from __future__ import annotations

from datetime import date

import producers
import pytest
from engines import kept
from filling import clean_values

from xlrep.auditing.ingest import audit
from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.workbook.xlsx import Workbook
from xlrep.writer.template import build_template

EDITIONS = {"2019": 2020, "2021": 2022}
PUBLISHED = date(2023, 1, 20)


@pytest.fixture(scope="module", params=list(EDITIONS))
def original(request, tmp_path_factory):
    edition = request.param
    year = EDITIONS[edition]
    form = load_form(edition)
    values = clean_values(edition, year) | {"info.publish_date": PUBLISHED}
    path = tmp_path_factory.mktemp(f"producers-{edition}") / "original.xlsx"
    path.write_bytes(build_template(year, form, values=values))
    sheet, row, col = build_layout(form).addresses["info.publish_date"]
    before = audit(path)
    assert before.result.values["info.publish_date"] == PUBLISHED
    return path, [(sheet, cell_ref(row, col))], Workbook(path).sheet_paths, kept(before)


def _variants(path, dates, sheet_parts):
    data = path.read_bytes()
    shared, count = producers.shared_formulas(data)
    assert count >= 10  # rows of totals and checks filled across
    out = {
        "inline-strings": producers.inline_strings(data),
        "shared-formulas": shared,
        "no-cached-results": producers.no_cached_results(data),
        "one-cell-dimension": producers.one_cell_dimension(data),
        "1904-dates": producers.dates_1904(data, dates, sheet_parts),
        "styles-without-defaults": producers.styles_without_defaults(data),
        "absolute-part-paths": producers.absolute_targets(data),
        "uppercase-part-names": producers.uppercase_part_names(data),
    }
    everything = producers.dates_1904(data, dates, sheet_parts)
    for step in (
        producers.inline_strings,
        lambda d: producers.shared_formulas(d)[0],
        producers.no_cached_results,
        producers.one_cell_dimension,
        producers.styles_without_defaults,
        producers.absolute_targets,
        producers.uppercase_part_names,
    ):
        everything = step(everything)
    out["all-together"] = everything
    return out


VARIANTS = [
    "inline-strings",
    "shared-formulas",
    "no-cached-results",
    "one-cell-dimension",
    "1904-dates",
    "styles-without-defaults",
    "absolute-part-paths",
    "uppercase-part-names",
    "all-together",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_read_exactly_as_the_original(original, tmp_path, variant):
    path, dates, sheet_parts, before = original
    data = _variants(path, dates, sheet_parts)[variant]
    assert data != path.read_bytes()
    rewritten = tmp_path / f"{variant}.xlsx"
    rewritten.write_bytes(data)
    after = kept(audit(rewritten))
    assert after == before
    assert after["values"]["info.publish_date"] == PUBLISHED
