"""Page addresses for guidance published without one, derived from where its publisher put the pages.

Pension Wise and the Money Advice Service kept their pages' addresses out of the source files: the
site built them. Frontdesk rebuilds them the same way, so a citation still points somewhere a
person can open. These are derived, not read: a `url:` in the front matter always wins.
"""

from __future__ import annotations

from pathlib import Path

PENSION_WISE = "https://www.pensionwise.gov.uk"
# Pension Wise's guidance repository (guidance-guarantee-programme/pension_guidance) and the
# copies of it: the folder its pages live under.
PENSION_WISE_FOLDERS = {"pension-wise", "pension_wise", "pensionwise", "pension_guidance"}
MONEY_ADVICE = "https://www.moneyadviceservice.org.uk"


def derived_url(file: Path, meta: dict, lang: str) -> str:
    """The published address of a page whose front matter gives none, or '' when no rule fits."""
    if meta.get("slug") and (meta.get("target_process_id") is not None or meta.get("advice_anchor_id")):
        # Money Advice Service articles lived at /en/articles/SLUG and /cy/articles/SLUG (derived:
        # the site's own links between these pages take that form).
        return f"{MONEY_ADVICE}/{lang or 'en'}/articles/{str(meta['slug']).strip().strip('/')}"
    return pension_wise_url(Path(file), lang)


def pension_wise_url(file: Path, lang: str) -> str:
    """`https://www.pensionwise.gov.uk/en/take-cash-in-chunks` for `pension-wise/take_cash_in_chunks.en.md`.

    The site's own links write the file names with hyphens (`/en/leave-pot-untouched`).
    """
    parts = file.resolve().parts if file.is_absolute() or file.exists() else file.parts
    base = max((i for i, part in enumerate(parts) if part.lower() in PENSION_WISE_FOLDERS), default=None)
    if base is None or base == len(parts) - 1:
        return ""
    names = list(parts[base + 1:])
    stem = names[-1]
    for suffix in (".md", ".markdown", f".{lang}" if lang else ".en"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    names[-1] = stem
    path = "/".join(n.replace("_", "-").lower() for n in names if n.lower() != "content")
    return f"{PENSION_WISE}/{lang or 'en'}/{path}"
