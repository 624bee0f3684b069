"""The report as JSON: every value by key, the texts, the metadata and the findings."""

from __future__ import annotations

import json

from ...common.safetext import path_fields
from .model import Heading, Paragraph, Report


def render_json(report: Report) -> str:
    data = {
        "title": report.title,
        "draft": report.draft,
        "org": report.org,
        "year": report.year,
        "edition": report.edition,
        "source": report.source,
        "preamble": report.preamble,
        "values": report.values,
        "narrative": report.narrative,
        "sections": [
            {"heading": b.text, "level": b.level}
            if isinstance(b, Heading)
            else {"paragraph": b.text}
            if isinstance(b, Paragraph)
            else {"table": b.table, "caption": b.caption, "cells": b.values()}
            for b in report.blocks
        ],
        "closing": {"org": report.org, "date": report.closing_date},
        "findings": report.findings,
    }
    # a source or file path that is not UTF-8: each undecodable byte as �
    return json.dumps(path_fields(data), ensure_ascii=False, indent=2, default=str) + "\n"
