"""What a template is made from, said once for the command line (``xlrep template``) and the site (a unit's
template): the report years xlrep supports, and the values a template is prefilled with.

- ``year_range``/``check_year``: from the first year of the oldest edition (earlier formats are out of scope)
  to next year (a template is issued before the year it reports on ends).
- ``template_values``: what last year's workbook carries over (``previous.carry_over``), then the agency's name
  and type as given (given, they are not "carried over": no prefill mark).
"""

from __future__ import annotations

from datetime import date

from ..common.errors import XlrepError


def year_range() -> tuple[int, int]:
    """The first and the last report year a template can be made for."""
    from ..edition.form import editions

    return editions()[0].first_year, date.today().year + 1


def check_year(year: int) -> int:
    """``year`` if a template can be made for it; else ``XlrepError`` saying why (Chinese)."""
    from ..edition.form import editions

    first, latest = year_range()
    if year < first:
        raise XlrepError(
            f"不支持 {year} 年度：现行报告格式自 {first} 年度起适用（{editions()[0].issued_as}），"
            "此前的格式不在本工具范围内。"
        )
    if year > latest:
        raise XlrepError(f"不支持 {year} 年度：最晚只能生成 {latest} 年度的填报表。")
    return year


def org_type_choice(form, text: str) -> str:
    """An agency type as typed (the form's choice or a short alias: 政府, 部门, 乡镇, 街道) as the form's choice;
    ``XlrepError`` naming the choices otherwise."""
    try:
        return form.org_type(text)
    except ValueError:
        aliases = "、".join(form.org_aliases)
        raise XlrepError(f"机关类型无效，只能是：{'、'.join(form.org_types)}（也可写 {aliases}）。") from None


def template_values(
    form, *, previous=None, org: str | None = None, org_type: str | None = None
) -> tuple[dict[str, object], dict[str, str], dict[str, object]]:
    """(values, prefilled notes, last year's references) for ``template.build_template``: carried over from
    ``previous`` (last year's ``ReadResult``) when given, then ``org`` and ``org_type`` when given."""
    values: dict[str, object] = {}
    prefilled: dict[str, str] = {}
    references: dict[str, object] = {}
    if previous is not None:
        from ..checks.previous import carry_over

        values, prefilled, references = carry_over(previous, form)
    if org is not None:
        values[form.role("org_name")] = org
        prefilled.pop(form.role("org_name"), None)  # given, not carried over
    if org_type is not None:
        values[form.role("org_type")] = org_type_choice(form, org_type)
        prefilled.pop(form.role("org_type"), None)
    return values, prefilled, references
