"""One pass over a parsed page: elements by tag, class token, id and role, and CSS-subset lookups.

Why not XPath or cssselect: a class test in XPath 1.0 is
``contains(concat(' ', normalize-space(@class), ' '), ' x ')``, which libxml2 evaluates by building
strings for every element, once per class name; fifty such tests per page cost tens of ms. Here
the page is walked once (about 1 ms), and a selector is a dictionary lookup plus a Python check
of the few candidates.

Supported selectors: comma-separated lists of compound selectors joined by descendant (space) or
child (``>``) combinators; a compound is an optional tag (or ``*``) with any of ``.class``,
``#id``, ``[attr]``, ``[attr=v]``, ``[attr~=v]``, ``[attr^=v]``, ``[attr*=v]``, ``[attr$=v]``
(values optionally quoted; attribute values are compared case-sensitively, like CSS).

>>> import lxml.html
>>> doc = lxml.html.document_fromstring('<div class="a b"><p id="x">1</p><p>2</p></div>')
>>> [el.text for el in DocIndex(doc).select("div.b > p#x, p:not-supported")]
Traceback (most recent call last):
ValueError: unsupported selector: 'p:not-supported'
>>> [el.text for el in DocIndex(doc).select(".a p")]
['1', '2']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

_COMPOUND_RE = re.compile(
    r"""(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?(?P<rest>(?:\.[\w-]+|\#[\w:.-]+|\[[^\]]+\])*)$"""
)
_PART_RE = re.compile(r"""\.([\w-]+)|\#([\w:.-]+)|\[([^\]]+)\]""")
_ATTR_RE = re.compile(
    r"""^\s*([\w:-]+)\s*(?:([~^*$]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?\s*$"""
)
# Attributes indexed in the one pass (besides tag, class and id): looked up by value.
INDEXED_ATTRS = ("role", "itemprop")
# Attributes whose mere presence is looked up (hidden elements, inline styles).
PRESENCE_ATTRS = frozenset({"style", "hidden", "aria-modal"})


@dataclass(frozen=True)
class Compound:
    """One compound selector: tag, class tokens, id and attribute tests, all required."""

    tag: str | None
    classes: tuple[str, ...]
    id: str | None
    attrs: tuple[tuple[str, str | None, str | None], ...]

    def matches(self, el: etree._Element) -> bool:
        """Whether ``el`` satisfies every part of this compound."""
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.id is not None and el.get("id") != self.id:
            return False
        if self.classes:
            tokens = (el.get("class") or "").split()
            if not all(c in tokens for c in self.classes):
                return False
        for name, op, value in self.attrs:
            have = el.get(name)
            if have is None:
                return False
            if op is None or value is None:
                continue
            if op == "=" and have != value:
                return False
            if op == "~=" and value not in have.split():
                return False
            if op == "^=" and not have.startswith(value):
                return False
            if op == "*=" and value not in have:
                return False
            if op == "$=" and not have.endswith(value):
                return False
        return True


# A complex selector: compounds with the combinators between them (" " or ">"), last one first.
Complex = tuple[tuple[Compound, str], ...]


def _compound(text: str, whole: str) -> Compound:
    match = _COMPOUND_RE.match(text)
    if not text or match is None:
        raise ValueError(f"unsupported selector: {whole!r}")
    tag = match.group("tag")
    classes: list[str] = []
    ident = None
    attrs: list[tuple[str, str | None, str | None]] = []
    for cls, id_, attr in _PART_RE.findall(match.group("rest")):
        if cls:
            classes.append(cls)
        elif id_:
            ident = id_
        else:
            parsed = _ATTR_RE.match(attr)
            if parsed is None:
                raise ValueError(f"unsupported selector: {whole!r}")
            name, op, v1, v2, v3 = parsed.groups()
            value = v1 if v1 is not None else v2 if v2 is not None else v3
            attrs.append((name.lower(), op, value))
    return Compound(
        tag=None if tag in (None, "*") else tag.lower(),
        classes=tuple(classes),
        id=ident,
        attrs=tuple(attrs),
    )


@lru_cache(maxsize=512)
def parse_selector(selector: str) -> tuple[Complex, ...]:
    """Parse a selector list into complex selectors (compounds listed from the subject outward)."""
    out = []
    for part in selector.split(","):
        part = part.strip()
        tokens = part.replace(">", " > ").split()
        if not tokens or tokens[0] == ">" or tokens[-1] == ">":
            raise ValueError(f"unsupported selector: {part!r}")
        chain: list[tuple[Compound, str]] = []
        combinator = " "
        for token in tokens:
            if token == ">":
                combinator = ">"
                continue
            chain.append((_compound(token, part), combinator))
            combinator = " "
        # Subject first; each entry's combinator relates it to the next (outer) compound.
        out.append(tuple(reversed(chain)))
    return tuple(out)


def _matches_complex(el: etree._Element, chain: Complex) -> bool:
    subject, _ = chain[0]
    if not subject.matches(el):
        return False
    return _match_outer(el, chain, 1)


def _match_outer(el: etree._Element, chain: Complex, i: int) -> bool:
    if i >= len(chain):
        return True
    compound, _ = chain[i]
    combinator = chain[i - 1][1]
    if combinator == ">":
        parent = el.getparent()
        return (
            parent is not None and compound.matches(parent) and _match_outer(parent, chain, i + 1)
        )
    return any(compound.matches(a) and _match_outer(a, chain, i + 1) for a in el.iterancestors())


@lru_cache(maxsize=512)
def matcher(selector: str) -> Callable[[etree._Element], bool]:
    """A test for one element against a selector list; a list of plain tags, classes and ids
    ("aside, #sidebar, .widget") becomes three set lookups instead of a loop over compounds."""
    chains = parse_selector(selector)
    simple = all(
        len(chain) == 1
        and sum((c.tag is not None, len(c.classes), c.id is not None)) == 1
        and not c.attrs
        for chain in chains
        for c in (chain[0][0],)
    )
    if not simple:
        return lambda el: any(_matches_complex(el, chain) for chain in chains)
    tags = frozenset(ch[0][0].tag for ch in chains if ch[0][0].tag is not None)
    classes = frozenset(ch[0][0].classes[0] for ch in chains if ch[0][0].classes)
    ids = frozenset(ch[0][0].id for ch in chains if ch[0][0].id is not None)

    def test(el: etree._Element) -> bool:
        if el.tag in tags:
            return True
        if ids and el.get("id") in ids:
            return True
        value = el.get("class")
        return bool(classes and value and not classes.isdisjoint(value.split()))

    return test


def matches(el: etree._Element, selector: str) -> bool:
    """Whether ``el`` matches any selector of the list."""
    return matcher(selector)(el)


def closest(el: etree._Element, selector: str) -> etree._Element | None:
    """``el`` or its nearest ancestor matching ``selector`` (like DOM ``Element.closest``)."""
    test = matcher(selector)
    node: etree._Element | None = el
    while node is not None:
        if test(node):
            return node
        node = node.getparent()
    return None


def ancestor_matches(el: etree._Element, selector: str) -> bool:
    """Whether a proper ancestor of ``el`` matches ``selector``."""
    parent = el.getparent()
    return parent is not None and closest(parent, selector) is not None


class DocIndex:
    """Elements of one page by tag, class token, id and indexed attributes, in document order."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.pos: dict[etree._Element, int] = {}
        self.by_tag: dict[str, list[etree._Element]] = {}
        self.by_class: dict[str, list[etree._Element]] = {}
        self.by_id: dict[str, list[etree._Element]] = {}
        self.by_attr: dict[tuple[str, str], list[etree._Element]] = {}
        self.having: dict[str, list[etree._Element]] = {}
        """Elements carrying each of ``PRESENCE_ATTRS`` (any value), in document order."""
        pos, by_tag, by_class, by_id, by_attr, having = (
            self.pos,
            self.by_tag,
            self.by_class,
            self.by_id,
            self.by_attr,
            self.having,
        )
        for i, el in enumerate(root.iter(etree.Element)):
            pos[el] = i
            tag = el.tag
            bucket = by_tag.get(tag)
            if bucket is None:
                by_tag[tag] = [el]
            else:
                bucket.append(el)
            # One call for all attributes is cheaper than a get() per attribute of interest.
            for name, value in el.items():
                if name == "class":
                    for token in value.split():
                        bucket = by_class.get(token)
                        if bucket is None:
                            by_class[token] = [el]
                        else:
                            bucket.append(el)
                elif name == "id":
                    if value:
                        by_id.setdefault(value, []).append(el)
                elif name in INDEXED_ATTRS:
                    for token in value.split():
                        by_attr.setdefault((name, token), []).append(el)
                elif name in PRESENCE_ATTRS:
                    having.setdefault(name, []).append(el)

    def attached(self, el: etree._Element) -> bool:
        """Whether ``el`` is still in the document (not inside a removed subtree)."""
        node = el
        parent = node.getparent()
        while parent is not None:
            node, parent = parent, parent.getparent()
        return node is self.root

    def _candidates(self, compound: Compound) -> list[etree._Element]:
        if compound.id is not None:
            return self.by_id.get(compound.id, [])
        if compound.classes:
            return min((self.by_class.get(c, []) for c in compound.classes), key=len)
        for name, op, value in compound.attrs:
            if name in INDEXED_ATTRS and value is not None and op in ("=", "~="):
                return self.by_attr.get((name, value.split()[0] if value.split() else ""), [])
            if name == "id" and value:
                # [id^=x], [id*=x]: scan the ids (a few hundred), not every element.
                found = [el for key, els in self.by_id.items() if value in key for el in els]
                pos = self.pos
                return sorted(found, key=lambda el: pos.get(el, -1))
        if compound.tag is not None:
            return self.by_tag.get(compound.tag, [])
        return list(self.pos)

    def _chain_candidates(self, chain: Complex) -> list[etree._Element]:
        """Candidates for the subject: from the index, or, when the subject is only a tag (".x a"),
        from the descendants of the outer compound's matches (far fewer than every <a>)."""
        subject = chain[0][0]
        if len(chain) == 1 or subject.classes or subject.id or subject.attrs:
            return self._candidates(subject)
        outer = chain[1:]
        out: list[etree._Element] = []
        for container in self._chain_candidates(outer):
            if _matches_complex(container, outer):
                if subject.tag is None:
                    out.extend(container.iterdescendants(etree.Element))
                else:
                    out.extend(container.iterdescendants(subject.tag))
        if len(out) > 1:
            pos = self.pos
            out = sorted(dict.fromkeys(out), key=lambda el: pos.get(el, -1))
        return out

    def select(
        self, selector: str, within: etree._Element | None = None, *, live: bool = True
    ) -> list[etree._Element]:
        """Elements matching ``selector``, in document order, without duplicates.

        ``within``: only descendants of that element. ``live``: skip removed elements.
        """
        found: dict[etree._Element, None] = {}
        for chain in parse_selector(selector):
            candidates = self._chain_candidates(chain)
            if _exact(chain):
                found.update(dict.fromkeys(candidates))
                continue
            for el in candidates:
                if el not in found and _matches_complex(el, chain):
                    found[el] = None
        out = list(found)
        if within is not None:
            out = [el for el in out if el is not within and _is_descendant(el, within)]
        elif live:
            out = [el for el in out if self.attached(el)]
        if len(parse_selector(selector)) > 1:
            pos = self.pos
            out.sort(key=lambda el: pos.get(el, -1))
        return out

    def first(self, selector: str, within: etree._Element | None = None) -> etree._Element | None:
        """The first element matching ``selector`` (see ``select``), or None."""
        found = self.select(selector, within)
        return found[0] if found else None


@lru_cache(maxsize=1024)
def _exact(chain: Complex) -> bool:
    """True when the index lookup for ``chain`` gives exactly its matches (".x", "#y", "nav")."""
    if len(chain) != 1:
        return False
    c = chain[0][0]
    return not c.attrs and sum((c.tag is not None, len(c.classes), c.id is not None)) == 1


def _is_descendant(el: etree._Element, root: etree._Element) -> bool:
    return any(a is root for a in el.iterancestors())
