"""The rule registry: the one catalogue of IDs, severities and titles, held against the reference.

checks.md (the rule catalogue of the product's reference, beside ``XLREP_CORPUS``)
lists every rule with its severity; the registry must hold each of them with the
same severity. Rules the reference does not list are ours and say so in the README.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from corpus import reference_dir

import xlrep
from xlrep.checks.rules import SEVERITY_NAMES, filling_rules, registry, rule
from xlrep.edition.form import editions


def reference_rules() -> dict[str, str]:
    """ID → severity of every row ``| `ID` | severity … |`` of checks.md."""
    text = (reference_dir() / "checks.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z0-9-]+)` \| (error|warning|info)\b", text, re.M)}


def test_every_rule_of_the_reference_is_registered_with_its_severity():
    expected = reference_rules()
    assert len(expected) >= 30
    assert {rule_id: registry()[rule_id].severity for rule_id in expected if rule_id in registry()} == expected
    assert sorted(set(expected) - set(registry())) == []


@pytest.mark.parametrize("rule_id", list(registry()))
def test_each_rule_has_a_title_and_message_templates_that_name_their_fields(rule_id):
    rule = registry()[rule_id]
    assert rule.severity in SEVERITY_NAMES
    assert rule.title and rule.title.endswith("。")
    assert rule.messages, f"{rule_id} has no message template"
    for name, template in rule.messages.items():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        assert all(re.fullmatch(r"[a-z_]+", f.split(":")[0].split("!")[0]) for f in fields), (rule_id, name, fields)


@pytest.mark.parametrize("form", editions(), ids=lambda f: f.edition)
def test_filling_rules_are_those_that_apply_to_the_edition(form):
    ids = [r.id for r in filling_rules(form)]
    assert "T3-IDENTITY" in ids and "VALUE-TEXT" in ids
    assert ("T2-IN-FORCE" in ids) == any(r.rule == "T2-IN-FORCE" for r in form.relations)
    assert ("FEE-NOTICE" in ids) == bool(form.implications)


#: Quoted words in src/ that look like rule IDs and are not (openpyxl's formula token kinds).
NOT_RULE_IDS = {"OPERATOR-PREFIX", "OPERATOR-INFIX", "OPERATOR-POSTFIX", "WHITE-SPACE"}
SRC = Path(xlrep.__file__).parent


def test_every_rule_id_written_in_src_is_in_the_catalogue():
    """The data model does not look rule IDs up (``findings`` imports no catalogue): an ID written anywhere in the
    code or the site's templates must be a registered rule, or a finding made of it would fail only when raised."""
    written: dict[str, str] = {}
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.html")]:
        for m in re.finditer(r"[\"']([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)[\"']", path.read_text(encoding="utf-8")):
            written.setdefault(m.group(1), str(path.relative_to(SRC)))
    assert len(written) > 40  # the scan sees the IDs the code names
    unknown = {i: where for i, where in written.items() if i not in registry() and i not in NOT_RULE_IDS}
    assert unknown == {}


def test_findings_are_made_only_by_the_catalogue():
    """``rules.rule(id).finding(...)`` is the one maker of findings in src/: it refuses an unregistered ID and gives
    the catalogue's severity. A ``Finding(...)`` written elsewhere would bypass both."""
    makers = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"(?<![\w.])Finding\(", path.read_text(encoding="utf-8"))
    ]
    assert makers == [str(Path("checks", "rules", "base.py"))]


def test_a_finding_of_an_unknown_rule_or_severity_is_refused():
    from xlrep.checks.rules import Rule
    from xlrep.common.findings import Finding

    class Unregistered(Rule):
        id, severity, title, messages = "NO-SUCH-RULE", "error", "无。", {"default": "无"}

    with pytest.raises(ValueError, match="NO-SUCH-RULE"):
        Unregistered().finding()
    with pytest.raises(KeyError):
        rule("NO-SUCH-RULE")
    with pytest.raises(ValueError, match="severity"):
        Finding("T3-IDENTITY", "m")
    made = rule("TEMPLATE-UNLOCKED").finding()
    assert (made.rule, made.severity) == ("TEMPLATE-UNLOCKED", rule("TEMPLATE-UNLOCKED").severity)
