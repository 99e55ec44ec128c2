"""Scores for extraction quality, shared by the benchmark and the quality-gate tests.

Body text: precision/recall/F1 over multisets of 4-grams of lower-cased ``\\w+`` tokens (the Zyte
article-extraction benchmark's shingle metric), per page. Captions: exact match of
whitespace-collapsed texts, as multisets. URLs: exact string match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import lxml.html

from .text import block_text, collapse

NGRAM = 4
_TOKEN_RE = re.compile(r"\w+")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment by the body-text rules (a block at every block element)."""
    if not html or not html.strip():
        return ""
    return block_text(lxml.html.fromstring(html))


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text.lower())
    return Counter(tuple(tokens[i : i + NGRAM]) for i in range(max(len(tokens) - NGRAM + 1, 0)))


def ngram_prf(predicted: str, expected: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of ``predicted`` text against ``expected`` (4-gram shingles).

    >>> ngram_prf("one two three four five", "one two three four")
    (0.5, 1.0, 0.6666666666666666)
    """
    pred, gold = _shingles(predicted), _shingles(expected)
    if not pred and not gold:
        return 1.0, 1.0, 1.0
    overlap = sum((pred & gold).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(gold.values()) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def matches(predicted: Iterable[str], expected: Iterable[str]) -> tuple[int, int, int]:
    """(matched, predicted count, expected count) for exact multiset matching of strings."""
    pred, gold = Counter(predicted), Counter(expected)
    return sum((pred & gold).values()), sum(pred.values()), sum(gold.values())


def caption_texts(html: str) -> list[str]:
    """The <figcaption> texts of an HTML fragment, whitespace collapsed."""
    if not html or not html.strip():
        return []
    return [collapse(el.text_content()) for el in lxml.html.fromstring(html).iter("figcaption")]


def with_captions(text: str, captions: Iterable[tuple[int | None, str]]) -> str:
    """Body text with caption texts put back at their positions (the "main content" view)."""
    placed = sorted(
        ((len(text) if pos is None else pos, i, cap) for i, (pos, cap) in enumerate(captions)),
    )
    out, last = [], 0
    for pos, _, cap in placed:
        out.append(text[last:pos])
        out.append(cap + "\n\n")
        last = pos
    out.append(text[last:])
    return "".join(out)
