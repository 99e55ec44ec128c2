"""Structure of the body: caption positions and credits, footnotes of every common convention
with their ids, bibliographies with URLs and DOIs, links, tables and lists in the body HTML."""

from __future__ import annotations

import pytest

from archiver.extract import extract_post, merge_pages
from archiver.extract.references import normalise_doi

URL = "https://blog.example.org/2019/07/13/a-post/"
LOREM = "Stars were out over the harbour, and the telescope was finally cool enough to use."


def page(body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A post</title>{head}'
        f'</head><body><article><h1 class="entry-title">A post</h1><div class="entry-content">'
        f"{body}</div></article></body></html>"
    )


# --- Captions ------------------------------------------------------------------------------------


def test_caption_positions_are_offsets_of_the_next_block():
    html = page(
        f"""<figure><img src="/a.jpg"><figcaption>Before all</figcaption></figure>
        <p>One. {LOREM}</p>
        <figure class="wp-block-image"><img src="/b.jpg"><figcaption class="wp-element-caption">
        Between (Photo: Ann)</figcaption></figure>
        <pre>code\n\nwith a blank line</pre><p>Two.</p>
        <figure><img src="/c.jpg"><figcaption>At the end</figcaption></figure>"""
    )
    post = extract_post(html, URL)
    text = post.body.text
    assert text == f"One. {LOREM}\n\ncode\n\nwith a blank line\n\nTwo."
    positions = {c.text: c.position for c in post.captions}
    assert positions["Before all"] == 0
    assert text[positions["Between (Photo: Ann)"] :].startswith("code\n\nwith")
    assert text[: positions["Between (Photo: Ann)"]] == f"One. {LOREM}\n\n"
    assert positions["At the end"] == len(text)
    assert [c.credit for c in post.captions] == [None, "Photo: Ann", None]
    assert [c.image_url for c in post.captions] == [
        "https://blog.example.org/a.jpg",
        "https://blog.example.org/b.jpg",
        "https://blog.example.org/c.jpg",
    ]
    # Figures stay in the body HTML, in place.
    assert post.body.html.index("Before all") < post.body.html.index("One.")


def test_gallery_captions_each_with_its_own_image():
    html = page(
        f"""<p>{LOREM}</p><figure class="wp-block-gallery has-nested-images">
        <figure class="wp-block-image"><img src="/g1.jpg" alt="one"><figcaption>First</figcaption>
        </figure><figure class="wp-block-image"><img src="/g2.jpg" alt="two"><figcaption>Second
        </figcaption></figure><figcaption class="blocks-gallery-caption">The whole gallery
        </figcaption></figure><p>After.</p>"""
    )
    post = extract_post(html, URL)
    assert [(c.text, c.image_url, c.alt) for c in post.captions] == [
        ("First", "https://blog.example.org/g1.jpg", "one"),
        ("Second", "https://blog.example.org/g2.jpg", "two"),
        ("The whole gallery", None, None),
    ]
    assert {c.position for c in post.captions} == {len(LOREM) + 2}


def test_blogger_table_caption_position_and_credit_element():
    html = page(
        f"""{LOREM}<br><table class="tr-caption-container"><tr><td><img src="/l.jpg"></td></tr>
        <tr><td class="tr-caption">The lathe</td></tr></table>More text.
        <figure><img src="/m.jpg"><figcaption>Mill <span class="credit">J. Doe</span>
        </figcaption></figure>"""
    )
    post = extract_post(html, URL)
    assert post.body.text == f"{LOREM}\n\nMore text."
    assert [(c.text, c.position, c.credit) for c in post.captions] == [
        ("The lathe", len(LOREM) + 2, None),
        ("Mill J. Doe", len(post.body.text), "J. Doe"),
    ]


def test_caption_positions_survive_merging_pages():
    first = extract_post(page(f"<p>{LOREM}</p>"), URL)
    second = extract_post(
        page("<p>Page two.</p><figure><img src='/x.jpg'><figcaption>Two</figcaption></figure>"),
        URL + "2/",
    )
    merged = merge_pages([first, second])
    (caption,) = merged.captions
    assert caption.position == len(merged.body.text)
    third = extract_post(
        page("<figure><img src='/y.jpg'><figcaption>Top</figcaption></figure><p>Three.</p>"),
        URL + "3/",
    )
    merged = merge_pages([first, third])
    assert merged.body.text[merged.captions[0].position :] == "Three."


# --- Footnotes -----------------------------------------------------------------------------------

FOOTNOTE_CASES = {
    "pandoc": (
        '<p>Claim<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup>'
        '</a>.</p><section class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr>'
        '<ol><li id="fn1"><p>Pandoc note. <a href="https://a.example/x">src</a><a href="#fnref1"'
        ' class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>',
        "fn1",
        ["https://a.example/x"],
        "Pandoc note. src",
    ),
    "kramdown": (
        '<p>Claim<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote"'
        ' rel="footnote">1</a></sup>.</p><div class="footnotes" role="doc-endnotes"><ol>'
        '<li id="fn:1" role="doc-endnote"><p>Kramdown note. <a href="#fnref:1" '
        'class="reversefootnote" role="doc-backlink">&#8617;</a></p></li></ol></div>',
        "fn:1",
        [],
        "Kramdown note.",
    ),
    "python-markdown": (
        '<p>Claim<sup id="fnref:n"><a class="footnote-ref" href="#fn:n">1</a></sup>.</p>'
        '<div class="footnote"><hr><ol><li id="fn:n"><p>Python-Markdown note.&#160;<a '
        'class="footnote-backref" href="#fnref:n" title="Jump back">&#8617;</a></p></li></ol></div>',
        "fn:n",
        [],
        "Python-Markdown note.",
    ),
    "markdown-it": (
        '<p>Claim<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>.</p>'
        '<hr class="footnotes-sep"><section class="footnotes"><ol class="footnotes-list">'
        '<li id="fn1" class="footnote-item"><p>Markdown-it note. <a href="#fnref1" '
        'class="footnote-backref">↩︎</a></p></li></ol></section>',
        "fn1",
        [],
        "Markdown-it note.",
    ),
    "wordpress-core": (
        '<p>Claim<sup data-fn="8f3c" class="fn"><a href="#8f3c" id="8f3c-link">1</a></sup>.</p>'
        '<ol class="wp-block-footnotes"><li id="8f3c">WordPress note. <a href="#8f3c-link" '
        'aria-label="Jump to footnote reference 1">↩︎</a></li></ol>',
        "8f3c",
        [],
        "WordPress note.",
    ),
    "easy-footnotes": (
        '<p>Claim<span class="easy-footnote-margin-adjust" id="easy-footnote-1-42"></span>'
        '<span class="easy-footnote"><a href="#easy-footnote-bottom-1-42" title="x"><sup>1</sup>'
        '</a></span>.</p><div class="easy-footnote-title"><h4>Notes:</h4></div><ol '
        'class="easy-footnotes-wrapper"><li class="easy-footnote-single"><span '
        'id="easy-footnote-bottom-1-42" class="easy-footnote-margin-adjust"></span>Easy note.<a '
        'class="easy-footnote-to-top" href="#easy-footnote-1-42"></a></li></ol>',
        "easy-footnote-bottom-1-42",
        [],
        "Easy note.",
    ),
    "footnotes-made-easy": (
        '<p>Claim<sup><a href="#footnote_0_42" id="identifier_0_42" class="footnote-link '
        'footnote-identifier-link" title="x">1</a></sup>.</p><ol class="footnotes"><li '
        'id="footnote_0_42" class="footnote">Made-easy note. [<a href="#identifier_0_42" '
        'class="footnote-link footnote-back-link">&#8617;</a>]</li></ol>',
        "footnote_0_42",
        [],
        "Made-easy note.",
    ),
    "simple-footnotes": (
        '<p>Claim<a href="#note-42-1" id="return-note-42-1"><sup>1</sup></a>.</p><div '
        'class="simple-footnotes"><p class="notes">Notes:</p><ol><li id="note-42-1">Simple note. '
        '<a href="#return-note-42-1">&#8617;</a></li></ol></div>',
        "note-42-1",
        [],
        "Simple note.",
    ),
    "hand-written": (
        '<p>Claim[1].</p><h3>Notes</h3><ol><li>Hand-written note, see <a href="/ref/">ref</a>.</li>'
        "</ol>",
        None,
        ["https://blog.example.org/ref/"],
        "Hand-written note, see ref.",
    ),
}


@pytest.mark.parametrize("convention", list(FOOTNOTE_CASES))
def test_footnote_conventions(convention):
    body, ident, urls, text = FOOTNOTE_CASES[convention]
    post = extract_post(page(f"<p>{LOREM}</p>{body}"), URL)
    assert [(r.kind, r.id, r.text, r.urls) for r in post.references] == [
        ("footnote", ident, text, urls)
    ]
    assert text.split(".")[0] in post.body.text  # the note's text stays in the body
    assert post.body.text.startswith(f"{LOREM}\n\nClaim")


def test_toc_and_ordinary_in_page_links_are_not_footnotes():
    html = page(
        f"""<ul class="table-of-contents"><li><a href="#one">One</a></li></ul><p>{LOREM}</p>
        <h2 id="one">One</h2><p>See <a href="#two">the second part</a>.</p><p id="two">Two.</p>"""
    )
    assert extract_post(html, URL).references == []


# --- Bibliography --------------------------------------------------------------------------------


def test_pandoc_citeproc_bibliography_with_dois():
    html = page(
        f"""<p>{LOREM} (<a href="#ref-knuth" role="doc-biblioref">Knuth 1984</a>)</p>
        <h2 class="unnumbered" id="bibliography">Bibliography</h2>
        <div id="refs" class="references csl-bib-body hanging-indent" role="doc-bibliography">
        <div id="ref-knuth" class="csl-entry" role="doc-biblioentry">Knuth, Donald. 1984.
        “Literate Programming.” <em>The Computer Journal</em> 27 (2): 97–111.
        <a href="https://doi.org/10.1093/COMJNL/27.2.97">https://doi.org/10.1093/comjnl/27.2.97</a>.
        </div><div id="ref-lamport" class="csl-entry" role="doc-biblioentry">Lamport, Leslie.
        1994. <em>LaTeX</em>. doi:10.5555/177837.</div></div>"""
    )
    post = extract_post(html, URL)
    assert [(r.kind, r.id, r.doi, r.url) for r in post.references] == [
        (
            "bibliography",
            "ref-knuth",
            "10.1093/comjnl/27.2.97",
            "https://doi.org/10.1093/COMJNL/27.2.97",
        ),
        ("bibliography", "ref-lamport", "10.5555/177837", None),
    ]
    assert post.body.text == f"{LOREM} (Knuth 1984)"
    assert "Literate" not in post.body.html


def test_marked_up_reference_list_without_heading():
    html = page(
        f"""<p>{LOREM}</p><ol class="references"><li id="cite-1"><a
        href="https://example.org/paper">A paper</a>, doi: 10.1000/XYZ-123.</li></ol>"""
    )
    (ref,) = extract_post(html, URL).references
    assert (ref.kind, ref.id, ref.url, ref.doi) == (
        "bibliography",
        "cite-1",
        "https://example.org/paper",
        "10.1000/xyz-123",
    )


@pytest.mark.parametrize("heading", ["Works Cited", "Further reading", "Sources:", "LITERATURE"])
def test_reference_headings(heading):
    html = page(
        f"<p>{LOREM}</p><h3>{heading}</h3><ul><li>Smith 2001.</li></ul><h3>After</h3><p>x</p>"
    )
    post = extract_post(html, URL)
    assert [(r.kind, r.text) for r in post.references] == [("bibliography", "Smith 2001.")]
    assert post.body.text == f"{LOREM}\n\nAfter\n\nx"


@pytest.mark.parametrize(
    ("value", "doi"),
    [
        ("https://dx.doi.org/10.1000/ABC", "10.1000/abc"),
        (
            "http://doi.org/10.1002/(SICI)1097-4636(199706)35:4<399",
            "10.1002/(sici)1097-4636(199706)35:4",
        ),
        ("see doi:10.1016/j.cell.2009.01.002).", "10.1016/j.cell.2009.01.002"),
        ("info:doi/10.1000%2F182", "10.1000/182"),
        ("10.1234 is not a DOI", None),
    ],
)
def test_doi_normalisation(value, doi):
    assert normalise_doi(value) == doi


# --- Links, tables, lists ---------------------------------------------------------------------------


def test_links_resolve_against_page_or_base_never_the_host_root():
    body = f'<p>{LOREM} <a href="notes/">notes</a> <a href="../up/">up</a> <a href="?p=2">q</a></p>'
    post = extract_post(page(body), URL)
    assert 'href="https://blog.example.org/2019/07/13/a-post/notes/"' in post.body.html
    assert 'href="https://blog.example.org/2019/07/13/up/"' in post.body.html
    assert 'href="https://blog.example.org/2019/07/13/a-post/?p=2"' in post.body.html
    based = extract_post(page(body, head='<base href="/mirror/">'), URL)
    assert 'href="https://blog.example.org/mirror/notes/"' in based.body.html
    assert (
        "javascript:"
        not in extract_post(
            page(f'<p>{LOREM} <a href="javascript:alert(1)">x</a></p>'), URL
        ).body.html
    )


def test_tables_and_lists_stay_in_the_body_html():
    html = page(
        f"""<p>{LOREM}</p><table><thead><tr><th>Night</th><th>Meteors</th></tr></thead>
        <tbody><tr><td>12th</td><td>40</td></tr></tbody></table>
        <ul><li>Tripod</li><li>Red torch</li></ul><ol><li>Arrive</li></ol>"""
    )
    post = extract_post(html, URL)
    for tag in (
        "<table>",
        "<thead>",
        "<th>Night</th>",
        "<td>40</td>",
        "<ul>",
        "<li>Tripod</li>",
        "<ol>",
    ):
        assert tag in post.body.html
    assert "Night\tMeteors\n\n12th\t40\n\nTripod\n\nRed torch\n\nArrive" in post.body.text
