"""xlrep — 政府信息公开工作年度报告：填报表生成、校验与报告生成。

Usable as a library::

    from xlrep import build_template, load_form, edition_for_year
    data = build_template(2021, edition_for_year(2021), values={"info.org_name": "某某县人民政府"})
"""

__version__ = "0.1.0"

from .form import edition_for_year, load_form  # noqa: E402
from .template import TEMPLATE_VERSION, build_template  # noqa: E402

__all__ = ["__version__", "build_template", "edition_for_year", "load_form", "TEMPLATE_VERSION"]
