"""The rule registry: the one catalogue of IDs, severities and titles, held against the reference.

checks.md (the rule catalogue of the product's reference, beside ``XLREP_CORPUS``)
lists every rule with its severity; the registry must hold each of them with the
same severity. Rules the reference does not list are ours and say so in the README.
"""

from __future__ import annotations

import re
import string

import pytest
from corpus import reference_dir

from xlrep.form import editions
from xlrep.rules import SEVERITY_NAMES, filling_rules, registry


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
