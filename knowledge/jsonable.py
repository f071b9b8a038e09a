"""The one place dataclasses become JSON-ready values for `--json` output."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Return `value` as plain dicts, lists, strings and numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def search_result_json(result) -> dict:
    """A search result in the design's shape: doc_id, title, url, heading, text, score (+ extras)."""
    p = result.passage
    return {
        "doc_id": p.doc_id,
        "passage_id": p.id,
        "title": p.title,
        "url": p.url,
        "heading": p.heading,
        "text": p.text,
        "score": round(result.score, 4),
        "lexical_rank": result.lexical_rank,
        "dense_rank": result.dense_rank,
        "lexical_score": round(result.lexical_score, 4),
        "cosine": None if result.cosine is None else round(result.cosine, 4),
        "nearest_of_page": result.nearest_of_page,
        "updated": p.updated.isoformat() if p.updated else None,
        "review_due": p.review_due.isoformat() if p.review_due else None,
        "lang": p.lang,
    }
