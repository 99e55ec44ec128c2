"""Texts and metadata of the demo blog (original writing for this project).

``{O}`` in any HTML string stands for the site origin; ``build_site.py`` fills it in with the
placeholder origin, which the demo server rewrites to the real one when serving.
"""

from __future__ import annotations

from typing import Any

SITE: dict[str, str] = {
    "name": "Harbour Lane Orchard",
    "description": "Notes from a small community orchard",
    "language": "en-US",
    "generator": "WordPress 6.4",
    "timezone": "+02:00",
}

AUTHORS: dict[str, str] = {
    "mara": "Mara Lind",
    "zoe": "Zoë Ferrández",
}

CATEGORIES: dict[str, str] = {
    "garden": "Garden",
    "kitchen": "Kitchen",
    "notes": "Notes",
}

TAGS: dict[str, str] = {
    "bees": "bees",
    "compost": "compost",
    "plans": "plans",
    "weather": "weather",
}

ABOUT_HTML = """
<p>Harbour Lane Orchard is a community orchard of forty-one trees on a former goods yard. Around
twenty volunteers look after it; this blog is where two of us write down what we did and what
we learned, so that next year’s volunteers do not have to learn it all again.</p>
<p>Work mornings are on Saturdays from nine. Bring gloves; we have the tools.</p>
"""

# Each post: "body" is the entry content of page 1; "pages" (optional) adds further pages of a
# multi-page post. "references" / "sources" / "footnotes" are rendered by the generator after the
# body so that the counts in expected.json come from the same data.
POSTS: list[dict[str, Any]] = [
    {
        "id": 11,
        "slug": "starting-an-orchard-log",
        "title": "Starting an orchard log",
        "published": "2019-05-04T10:00:00+02:00",
        "modified": None,
        "author": "mara",
        "categories": ["notes"],
        "tags": ["plans"],
        "sample": "keep a proper log this year",
        "body": """
<p>Every spring somebody asks “when did we graft the pears last time?” and every spring nobody
knows. So we are going to keep a proper log this year, written up here after each work morning.</p>
<p>The plan is simple: one post per job, with dates, numbers where we have them, and photos when
somebody remembers to bring a camera. Zoë will write about the kitchen side of things, and I will
cover the trees, the compost bays and the bees.</p>
<p>If you volunteer with us and want to add something, leave a comment or catch one of us at the
shed.</p>
""",
        "comments": [
            {
                "id": 4,
                "author": "Ansel Okafor",
                "published": "2019-05-05T09:14:00+02:00",
                "text": [
                    "Great idea. I still have notes on the 2017 grafting somewhere – I’ll dig "
                    "them out."
                ],
            },
        ],
    },
    {
        "id": 14,
        "slug": "compost-week-three",
        "title": "Compost, week three",
        "published": "2019-05-19T11:30:00+02:00",
        "modified": "2019-05-20T08:05:00+02:00",
        "author": "zoe",
        "categories": ["garden"],
        "tags": ["compost"],
        "sample": "The middle bay finally got hot",
        "body": """
<p>The middle bay finally got hot. We built it three weeks ago from grass clippings, shredded
prunings and two barrows of horse manure, and for the first fortnight it barely got above blood
temperature.</p>
<p>Turning it on Saturday made the difference. Here are the readings from the long thermometer,
taken at about 40 cm depth:</p>
<figure class="wp-block-table"><table><thead><tr><th>Day</th><th>Core temperature</th>
<th>Turned?</th></tr></thead><tbody>
<tr><td>Saturday 11 May</td><td>31 °C</td><td>Yes</td></tr>
<tr><td>Tuesday 14 May</td><td>48 °C</td><td>No</td></tr>
<tr><td>Saturday 18 May</td><td>57 °C</td><td>Yes</td></tr>
</tbody></table></figure>
<p>Next step is to leave it alone for a month and start filling the left-hand bay instead.</p>
""",
    },
    {
        "id": 17,
        "slug": "apple-bread",
        "title": "Apple bread from last year’s store",
        "published": "2019-06-02T16:45:00+02:00",
        "modified": None,
        "author": "zoe",
        "categories": ["kitchen"],
        "tags": [],
        "sample": "the last of the stored apples",
        "body": """
<p>We used the last of the stored apples this week. They had gone soft and wrinkly, which is
exactly what you want for a sweet loaf: the fruit melts into the crumb instead of staying in
wet lumps.<sup data-fn="fn-1" class="fn"><a href="#fn-1" id="fn-1-link">1</a></sup></p>
<p>The recipe is an ordinary enriched dough with one grated apple per 500 g of flour, a spoon of
honey and a pinch of cinnamon. Proving takes longer than you expect because the apple cools the
dough down.<sup data-fn="fn-2" class="fn"><a href="#fn-2" id="fn-2-link">2</a></sup></p>
<p>Four loaves went to the Saturday volunteers and did not come back.</p>
""",
        "footnotes": [
            {
                "id": "fn-1",
                "html": "Russets and Bramleys both worked; the dessert apples were too watery.",
            },
            {
                "id": "fn-2",
                "html": "Roughly two and a half hours in a cool kitchen. See the "
                '<a href="https://example.com/baking/slow-proving">slow proving notes</a>.',
            },
        ],
    },
    {
        "id": 20,
        "slug": "members-harvest-rota",
        "title": "Members’ harvest rota",
        "published": "2019-06-16T19:00:00+02:00",
        "modified": None,
        "author": "mara",
        "categories": ["notes"],
        "tags": ["plans"],
        "protected": True,
        "body": "<p>Only members see the rota.</p>",
    },
    {
        "id": 23,
        "slug": "counting-bees",
        "title": "Counting bees on a Saturday morning",
        "published": "2019-06-28T09:20:00+02:00",
        "modified": "2019-06-30T12:00:00+02:00",
        "author": "mara",
        "categories": ["garden"],
        "tags": ["bees"],
        "sample": "ten-minute count by the lime tree",
        "body": """
<p>We tried a ten-minute count by the lime tree at half past nine: three of us, one clipboard,
and a rule that anything we could not name went down as “other”.</p>
<figure class="wp-block-image size-full"><img decoding="async" width="96" height="64"
src="{O}/wp-content/uploads/2019/07/tally-sheet.png" alt="A pencilled tally sheet"
class="wp-image-24"></figure>
<p>The tally: 23 honeybees, 9 buff-tailed bumblebees, 4 hoverflies and 6 “other”. The method
follows a published timed-count protocol, simplified for people who are not entomologists.</p>
""",
        "references": [
            "Pollinator Watch Group (2018). <em>A timed count for garden pollinators</em>. "
            '<a href="https://example.org/bee-count–method">example.org/bee-count–method</a>',
            "Hale, R. and Moss, T. (2016). Who visits the blossom? "
            '<a href="https://example.net/papers/blossom-visits.pdf">PDF</a>',
            "Our own tally sheets, kept in the blue folder in the shed.",
        ],
    },
    {
        "id": 26,
        "slug": "pruning-stone-fruit",
        "title": "Pruning stone fruit in summer",
        "published": "2019-07-06T14:00:00+02:00",
        "modified": None,
        "author": "mara",
        "categories": ["garden"],
        "tags": [],
        "sample": "plums, cherries and apricots are pruned in summer",
        "sample_page2": "paint nothing on the cuts",
        "body": """
<p>Unlike the apples and pears, our plums, cherries and apricots are pruned in summer, when the
sap is running and wounds close quickly. Winter cuts on stone fruit invite silver leaf and
canker.</p>
<p>This is a long one, so it is split over two pages. This page covers why and when; the second
page covers the cuts themselves.</p>
<h2>When</h2>
<p>Any dry spell between late June and the end of August. We wait for a forecast of three dry
days so the cuts can seal before rain.</p>
""",
        "pages": [
            """
<h2>How</h2>
<p>Take out dead, diseased and crossing wood first, then thin the crown so that light reaches
the middle. Cut back to an outward-facing bud or a side branch; never leave a stub.</p>
<p>Keep the cuts small and few. If a tree needs heavy work, spread it over two summers. And
paint nothing on the cuts: a clean wound heals better on its own.</p>
""",
        ],
    },
    {
        "id": 29,
        "slug": "rain-gauge-results",
        "title": "Rain gauge results, January–June",
        "published": "2019-07-13T10:00:00+02:00",
        "modified": "2019-07-15T18:30:00+02:00",
        "author": "zoe",
        "categories": ["notes"],
        "tags": ["weather"],
        "sample": "half a year of rain gauge readings",
        "body": """
<p>We now have half a year of rain gauge readings, taken every morning at eight by whoever opens
the gate. January to June brought 302 mm in total, a little under the long-term average.</p>
<figure id="attachment_30" aria-describedby="caption-attachment-30" style="width: 120px"
class="wp-caption aligncenter"><img loading="lazy" decoding="async" class="size-full wp-image-30"
src="{O}/wp-content/uploads/2019/07/rain-gauge.jpg" alt="A copper rain gauge on a wooden post"
width="120" height="80"><figcaption id="caption-attachment-30" class="wp-caption-text">The
gauge on its post by the shed (Source: Harbour Lane Orchard volunteers)</figcaption></figure>
<p>June was the odd month out: 96 mm, most of it in four days. The orchard floor stayed wet for
a fortnight and the grass grew faster than we could cut it.</p>
<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" width="120"
height="80" src="{O}/wp-content/uploads/2019/07/low-cloud.jpg"
alt="Low grey cloud over a row of young trees" class="wp-image-31"><figcaption
class="wp-element-caption">Low cloud over the orchard on the wettest day of June. Photo:
<a href="https://example.com/people/ines-durand">Inès Durand</a></figcaption></figure>
<p>The full table is pinned up in the shed. We will post the second half of the year in
January.</p>
""",
        "comments": [
            {
                "id": 12,
                "author": "Rhiannon Price",
                "published": "2019-07-14T08:12:00+02:00",
                "text": [
                    "Is the gauge emptied every day, or do you subtract yesterday’s reading?",
                ],
            },
            {
                "id": 13,
                "parent": 12,
                "author": "Zoë Ferrández",
                "published": "2019-07-14T21:40:00+02:00",
                "text": [
                    "Emptied every morning after reading.",
                    "Whoever forgets buys the biscuits.",
                ],
            },
        ],
    },
    {
        "id": 32,
        "slug": "planting-advice-sources",
        "title": "Where our planting advice comes from",
        "published": "2019-07-21T20:15:00+02:00",
        "modified": None,
        "author": "zoe",
        "categories": ["notes"],
        "tags": ["plans"],
        "sample": "which books and leaflets we actually use",
        "body": """
<p>New volunteers often ask which books and leaflets we actually use when we decide what to plant
and where. The honest answer is: a handful, and mostly the same ones every year.</p>
<p>We also lean on the memory of the people who planted the first trees here in 2009, which no
book can replace.</p>
""",
        "sources": [
            "<em>The Allotment Almanac</em>, fruit chapter, "
            '<a href="https://example.org/almanac/fruit">example.org/almanac/fruit</a>',
            "County Orchards Trust leaflet “Old varieties for wet ground” (2014)",
            '<a href="https://example.com/grafting-notes">Grafting notes by a neighbour</a>',
        ],
    },
    {
        "id": 35,
        "slug": "old-rail-line-walk",
        "title": "A walk along the old rail line",
        "published": "2019-07-29T18:00:00+02:00",
        "modified": None,
        "author": "mara",
        "categories": ["notes"],
        "tags": [],
        "sample": "looking for the wild plum trees",
        "body": """
<p>On Sunday a few of us walked the old rail line from the orchard gate to the brook, looking
for the wild plum trees that people keep mentioning. We found eleven, most of them in the
cutting where the line crosses the water.</p>
<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" width="120"
height="80" src="{O}/wp-content/uploads/2019/07/rail-line.png"
alt="A grassy track between two banks of trees" class="wp-image-36"><figcaption
class="wp-element-caption">The cutting near the brook, looking north. Photo:
<a href="https://example.com/people/mara">Mara Lind</a></figcaption></figure>
<p>Two of the trees are old enough to be worth taking cuttings from. We will ask the council
before anybody goes near them with a saw.</p>
""",
    },
    {
        "id": 38,
        "slug": "jam-day",
        "title": "Jam day – apricots and plums",
        "published": "2019-08-10T15:30:00+02:00",
        "modified": None,
        "author": "zoe",
        "categories": ["kitchen", "notes"],
        "tags": [],
        "sample": "eleven kilos of fruit",
        "body": """
<p>Jam day took over the church hall kitchen: eleven kilos of fruit, six volunteers and every
pan we could borrow. The apricots came from our two wall-trained trees, the plums from the
rail line (with permission).</p>
<figure id="attachment_39" aria-describedby="caption-attachment-39" style="width: 120px"
class="wp-caption aligncenter"><img loading="lazy" decoding="async" class="size-full wp-image-39"
src="{O}/wp-content/uploads/2019/07/apricots.jpg" alt="Halved apricots in a steel pan"
width="120" height="80"><figcaption id="caption-attachment-39" class="wp-caption-text">Apricots
halved and stoned, ready for the pan (Source: Zoë Ferrández)</figcaption></figure>
<p>We added a few sharp apples to the plum batch for pectin. Forty-two jars in the end, which
will go on the stall at the autumn fair.</p>
""",
    },
    {
        "id": 41,
        "slug": "end-of-summer-jobs",
        "title": "End-of-summer jobs",
        "published": "2019-08-24T09:00:00+02:00",
        "modified": None,
        "author": "mara",
        "categories": ["garden"],
        "tags": ["plans", "compost"],
        "sample": "list for the last Saturdays of summer",
        "body": """
<p>Here is the list for the last Saturdays of summer, roughly in order of urgency:</p>
<ul>
<li>Finish the summer pruning of the cherries before the weather turns.</li>
<li>Empty the middle compost bay (see <a href="{O}/2019/05/19/compost-week-three/">compost,
week three</a>) and spread it under the young trees.</li>
<li>Check every tree tie and loosen the tight ones.</li>
<li>Mend the gate hinge – again.</li>
</ul>
<p>If you can only come once, come on the 7th: that is the big one.</p>
""",
    },
]
