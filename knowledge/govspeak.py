"""Govspeak and kramdown house markup as plain Markdown, so no `$E`, `%`, `^` or `{: ...}` reaches a passage.

Publishers write their boxes and attributes into the Markdown (GOV.UK's govspeak, the Money
Advice Service's and Pension Wise's kramdown): `$E ... $E` example boxes, `$C ... $C` contact
boxes, `%...%` warning and `^...^` information callouts, `s1.` steps, `{: .button}` attribute
lists, `{::calculator .../}` extensions and `[text]({::money_helper_url path="..." locale="en"/})`
links. A box's words are guidance like any other: they stay, its markers go.
"""

from __future__ import annotations

import re

from knowledge.sentences import EXAMPLE_LABEL

MONEY_HELPER = "https://www.moneyhelper.org.uk"

EXAMPLE_BOX = re.compile(r"(?ms)^[ \t]*\$E[ \t]*\n(.*?)^[ \t]*\$E[ \t]*$")
BOX_MARKER = re.compile(r"(?m)^[ \t]*\$(?:E|C|CTA|D|I|A|P)[ \t]*$")  # a box's opening or closing line
# `[text]({::money_helper_url path="a/b" locale="en"/})`: a link built by the site at publication.
MONEY_HELPER_LINK = re.compile(
    r"\(\{::money_helper_url\s+path=\"([^\"]*)\"(?:\s+locale=\"([a-z]{2})\")?\s*/?\}\)")
EXTENSION = re.compile(r"\{::[a-z_]+\b[^}]*/?\}")  # {::calculator id="x" /}, {::webchat .../}, {::options .../}
ATTRIBUTES = re.compile(r"\{:[^}\n]*\}")  # {: .button #id style="..."}, {:.table-font-xsmall}
HEADING_NO_SPACE = re.compile(r"(?m)^(#{1,6})(?=[^#\s])")  # kramdown reads "#Title" and "##Booking" as headings
STEP = re.compile(r"(?m)^s(\d+)\.\s+")  # govspeak's numbered steps, "s1. Check..."
# "-|-", "- | -": the rule under a table's header goes with its line break, so the table stays one block.
TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-*:?[ \t]*)+\|?[ \t]*$\n?")
EMAIL_AUTOLINK = re.compile(r"<([^<>@\s]+@[^<>@\s]+\.[a-z]{2,})>", re.I)
# Inline HTML left in Markdown lines (blocks of HTML are converted before, in sources.py).
VIDEO_LINK = re.compile(r"<a\b[^>]*>\s*<img\b[^>]*>\s*</a>", re.I | re.S)  # a thumbnail linking to a video
HTML_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>", re.I)
# A line that is only an address (print versions repeat a link's address under it): no words to search.
BARE_ADDRESS_LINE = re.compile(r"(?m)^[ \t]*https?://\S+[ \t]*$")


def house_markup_to_markdown(body: str) -> str:
    """A body in govspeak or kramdown house markup as plain Markdown with the same words."""
    text = EMAIL_AUTOLINK.sub(r"\1", body)
    text = MONEY_HELPER_LINK.sub(money_helper_link, text)
    text = EXTENSION.sub("", text)
    text = ATTRIBUTES.sub("", text)
    text = EXAMPLE_BOX.sub(labelled_example, text)
    text = BOX_MARKER.sub("", text)
    text = HEADING_NO_SPACE.sub(r"\1 ", text)
    text = STEP.sub(r"\1. ", text)
    text = TABLE_RULE.sub("", text)
    # Callouts before inline HTML: a `<br/><br/>` inside one would split it into two paragraphs.
    text = "\n\n".join(unwrap_callout(p) for p in re.split(r"\n[ \t]*\n", text))
    text = inline_html_to_markdown(text)
    text = BARE_ADDRESS_LINE.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def labelled_example(box: re.Match) -> str:
    """An `$E` example box whose every paragraph, table and sub-section stands under the box's label.

    A worked example ("Your pension pot is £60,000. You decide to take 25% ... You use the other
    £25,000 ...") runs over several paragraphs, tables and even sub-headings; once the box's markers
    go, only its first paragraph still said it was an example, and the draft quoted the rest as
    guidance, a made-up person's figures as the citizen's. A paragraph without the label gets the
    box's own label on the line before it (models/extractive.worked_examples reads it so)."""
    paragraphs = re.split(r"\n[ \t]*\n", box.group(1).strip())
    found = EXAMPLE_LABEL.match(paragraphs[0])
    label = found.group(0) if found else "**Example**"
    said: list[str] = []
    for paragraph in paragraphs:
        first = paragraph.lstrip()
        labelled = EXAMPLE_LABEL.match(first) or (said and said[-1].strip() == label)
        if first and not first.startswith("#") and not labelled:
            said.append(label)
        said.append(paragraph)
    return "$E\n" + "\n\n".join(said) + "\n$E"


def money_helper_link(match: re.Match) -> str:
    path, locale = match.group(1).strip("/"), match.group(2) or "en"
    return f"({MONEY_HELPER}/{locale}/{path})"


def inline_html_to_markdown(text: str) -> str:
    """`<a href>` as a Markdown link, `<br>` as a line break, video thumbnails and other tags dropped."""
    text = VIDEO_LINK.sub("", text)
    text = HTML_LINK.sub(lambda m: f"[{TAG.sub('', m.group(2)).strip()}]({m.group(1)})" if TAG.sub("", m.group(2)).strip() else "", text)
    text = LINE_BREAK.sub("\n", text)
    return TAG.sub("", text)


def unwrap_callout(paragraph: str) -> str:
    """A `%warning%` or `^information^` paragraph as its text ("25%" inside one is left alone)."""
    stripped = paragraph.strip()
    if len(stripped) > 2 and stripped[0] == stripped[-1] and stripped[0] in "%^":
        return stripped[1:-1].strip()
    # A caret is never text: one left at either end is a callout its author opened or closed elsewhere.
    return stripped.strip("^").strip() if stripped.startswith("^") or stripped.endswith("^") else paragraph
