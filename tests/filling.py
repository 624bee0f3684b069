"""Helpers for tests: fill a template's cells by form key (openpyxl), and realistic fills."""

from __future__ import annotations

import io
import random
from pathlib import Path

import openpyxl

from xlrep.edition.form import Form, load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template

NARRATIVE = {
    "s1.proactive": "{year}年，本机关主动公开政府信息120条，及时发布政策文件和工作动态。",
    "s1.on_request": "{year}年，本机关共收到政府信息公开申请{new}件，办结{done}件，结转下年度继续办理{forward}件。",
    "s1.management": "严格落实公开属性源头认定和保密审查制度，定期清理规范性文件。",
    "s1.platforms": "持续维护政府网站信息公开专栏，政务新媒体运行平稳。",
    "s1.oversight": "将政务公开纳入年度绩效考核，开展社会评议，未发生责任追究情形。",
    "s5.problems": "政策解读形式较为单一，基层公开人员业务水平有待提高。",
    "s5.measures": "丰富政策解读形式，加强业务培训，提升公开质量。",
}


def balanced_t3(rng: random.Random, form) -> dict[str, int]:
    """A table 三 whose identity holds in every column."""
    values: dict[str, int] = {}
    grid = form.grids("t3")[0]
    results = [r for r in grid.rows if r.result]
    for column in grid.columns:
        if column.sum_of:
            continue
        done = 0
        for row in results:
            v = rng.choice([0, 0, rng.randint(0, 9), rng.randint(0, 200)])
            values[grid.cell_key(row, column)] = v
            done += v
        forward = rng.randint(0, 5)
        carried_in = rng.randint(0, min(done, 10))  # all carried-in requests finished this year
        values[f"t3.carried_forward.{column.key}"] = forward
        values[f"t3.carried_in.{column.key}"] = carried_in
        values[f"t3.new_received.{column.key}"] = done + forward - carried_in
    return values


def zero_fill(form) -> dict[str, object]:
    return {c.key: 0 for c in form.inputs if c.is_numeric}


def clean_values(edition: str, year: int, seed: int = 1) -> dict[str, object]:
    """A complete, consistent fill: no errors expected."""
    form = load_form(edition)
    rng = random.Random(seed)
    values: dict[str, object] = zero_fill(form)
    values.update(balanced_t3(rng, form))
    for key in ("t4.review.upheld", "t4.review.other", "t4.suit_direct.upheld"):
        values[key] = rng.randint(0, 3)
    if "t2.rules.in_force" in form.cells:
        values.update(
            {
                "t2.rules.issued": 1,
                "t2.rules.in_force": 5,
                "t2.normative_docs.issued": 3,
                "t2.normative_docs.in_force": 20,
            }
        )
    values.update(
        {
            "info.org_name": "某某县人民政府办公室",
            "info.org_type": "县级以上人民政府部门",
            "info.address": "某某县人民路1号",
            "info.postcode": "100000",
            "info.phone": "010-12345678",
            "info.email": "gk@example.gov.cn",
            "info.download_url": "http://www.example.gov.cn/gk",
        }
    )
    if "t2.procurement.amount_unit" in form.cells:
        values["t2.procurement.amount_unit"] = "万元"
    totals = {
        r: sum(values[f"t3.{r}.{c.key}"] for c in form.grids("t3")[0].columns if not c.sum_of)
        for r in ("new_received", "carried_forward", "carried_in")
    }
    done = totals["new_received"] + totals["carried_in"] - totals["carried_forward"]
    for key, text in NARRATIVE.items():
        values[key] = text.format(year=year, new=totals["new_received"], done=done, forward=totals["carried_forward"])
    if "s6.fee_notices" in form.cells:  # requests dropped for unpaid fees imply fee notices were sent (FEE-NOTICE)
        unpaid = sum(values[f"t3.other_fee_unpaid.{c.key}"] for c in form.grids("t3")[0].columns if not c.sum_of)
        values["s6.fee_notices"] = unpaid
    return values


def fill_workbook(
    path: Path,
    edition: str,
    year: int,
    values: dict[str, object],
    overrides: dict | None = None,
    *,
    template: bytes | None = None,
) -> Path:
    """Write the template (or the given ``template``, e.g. one the site issued) and type ``values`` into it by key
    (openpyxl; no cached results).

    ``overrides`` maps (sheet, A1) -> raw value, to plant things no key names (e.g. over a formula).
    """
    layout = build_layout(load_form(edition))
    wb = openpyxl.load_workbook(io.BytesIO(template or build_template(year, load_form(edition))))
    for key, value in values.items():
        sheet, row, col = layout.addresses[key]
        wb[sheet][cell_ref(row, col)].value = value
    for (sheet, a1), value in (overrides or {}).items():
        wb[sheet][a1].value = value
    wb.save(path)
    return path


# -- random fills: every numeric input, determined by a seed (the LibreOffice tests) --------------------
YEAR = {"2019": 2020, "2021": 2022}
SEED_BASE = {"2019": 19_000_000, "2021": 21_000_000}
MODES = ("balanced", "balanced", "unbalanced", "unbalanced", "dirty")  # 40 % / 40 % / 20 %
TEXTS = ("12件", "无", "-", "１２", "12", "/", "0件", "N/A", "3 ")


def ref(layout, key: str) -> tuple[str, str]:
    sheet, row, col = layout.addresses[key]
    return sheet, cell_ref(row, col)


def numeric_inputs(form: Form):
    """The numeric input cells of t2/t3/t4 and section 六, as the live value checks see them."""
    return [cell for table in form.value_tables for cell in form.table_inputs(table)]


def t3_columns(form: Form):
    """Per input column of table 三: (new_received, carried_in, result keys, carried_forward)."""
    grid = form.grids("t3")[0]
    rows = {r.key: r for r in grid.rows}
    results = [r for r in grid.rows if r.result]
    for column in grid.columns:
        if column.sum_of:
            continue
        yield (
            grid.cell_key(rows["new_received"], column),
            grid.cell_key(rows["carried_in"], column),
            [grid.cell_key(r, column) for r in results],
            grid.cell_key(rows["carried_forward"], column),
        )


def _number(cell, rng: random.Random):
    r = rng.random()
    if r < 0.08:
        return None  # left blank
    if r < 0.40:
        return 0
    if cell.kind == "signed":
        return rng.randint(-60, 60)
    if cell.kind == "amount":
        return round(rng.uniform(0, 250_000), rng.choice((0, 1, 2, 2)))
    if r < 0.97:
        return rng.randint(1, 40)
    return rng.randint(1_000, 999_999_999)  # the largest a count may be


def _balance(form: Form, values: dict, rng: random.Random) -> None:
    """Make 新收 + 上年结转 = 办理结果总计 + 结转下年度 hold in every column of table 三."""
    for new, carried_in, results, carried_forward in t3_columns(form):
        out = sum(values[k] or 0 for k in results) + (values[carried_forward] or 0)
        c_in = rng.randint(0, out) if rng.random() < 0.7 else 0
        values[carried_in] = None if (c_in == 0 and rng.random() < 0.3) else c_in
        n = out - c_in
        values[new] = None if (n == 0 and rng.random() < 0.3) else n


def make_fill(form: Form, seed: int) -> tuple[str, dict[str, object]]:
    """A random fill of every numeric input cell (``None`` = blank), determined by ``seed``."""
    rng = random.Random(seed)
    mode = MODES[seed % len(MODES)]
    cells = numeric_inputs(form)
    values: dict[str, object] = {c.key: _number(c, rng) for c in cells}
    columns = list(t3_columns(form))
    if mode == "balanced" or (mode == "dirty" and rng.random() < 0.5):
        _balance(form, values, rng)
    if mode == "unbalanced":
        if rng.random() < 0.5:  # nearly balanced: off by a little in a few columns
            _balance(form, values, rng)
        for new, carried_in, results, carried_forward in rng.sample(columns, rng.randint(1, 3)):
            key = rng.choice([new, carried_in, carried_forward, *results])
            delta = rng.choice((1, 2, 3, 7, 100, -1, -2, -5))
            values[key] = (values[key] or 0) + delta
    if mode == "dirty":
        for cell in rng.sample(cells, rng.randint(1, 4)):
            values[cell.key] = rng.choice(TEXTS)
        negatives = [c for c in cells if c.kind in ("count", "amount")]
        for cell in rng.sample(negatives, rng.randint(1, 3)):
            values[cell.key] = -rng.randint(1, 30) if cell.kind == "count" else -round(rng.uniform(0.01, 500), 2)
    return mode, values
