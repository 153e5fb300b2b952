"""Pages in the DOM shapes the virtual sites serve, built here for the tests.

The shapes are those public scrapers of icml.cc / neurips.cc rely on (see issue 11): listing
cards with hidden abstracts, 2024+ schedule rows with '→' papers, 2025+ JSON-LD event,
oral and poster pages, sign-in pages, session pages and the older ScheduleMultitrack pages.
Every page carries the site's navigation, scripts and footer around its content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any

_NAV = (
    "<nav class='navbar'><a class='navbar-brand' href='/'>ICML</a><ul>"
    "<li><a href='/virtual/2023/index.html'>Schedule</a></li>"
    "<li><a href='/virtual/2023/events/workshop'>Workshops</a></li>"
    "<li>Sat 9:00 a.m.</li></ul></nav>"
)
_FOOTER = (
    "<footer><p>The ICML Logo above may be used on presentations.</p>"
    "<a href='/privacy'>Privacy</a></footer>"
    "<script>document.querySelectorAll('.touchup-date').forEach(x => x)</script>"
)


def page(body: str, *, title: str = "ICML 2023", head: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title>{head}<script>var x = '(Poster)';</script></head>"
        f"<body>{_NAV}<main class='container'>\n{body}\n</main>{_FOOTER}</body></html>\n"
    )


@dataclass
class Card:
    site_id: int
    title: str
    kind: str = "Poster"  # the type label ('Poster', 'Spotlight Poster', 'Oral', 'Workshop')
    authors: list[str] = field(default_factory=list)
    time: str | None = None
    room: str | None = None
    abstract: str | None = None
    path: str = "poster"  # the page's URL segment: poster, oral, workshop...
    year: int = 2023


def card_html(card: Card) -> str:
    """One listing card (2022-2023): the abstract is in a collapsed, hidden panel."""
    href = f"/virtual/{card.year}/{card.path}/{card.site_id}"
    parts = [
        f"<div class='displaycards touchup-date' id='event-{card.site_id}'>",
        f"<div style='width:80%;margin:auto;'><a class='small-title text-underline-hover' "
        f"href='{href}'>{escape(card.title)}</a></div>",
        f"<div class='type_display_name_virtual_card'>{escape(card.kind)}</div>",
    ]
    if card.authors:
        parts.append(f"<div class='author-str'>{escape(' · '.join(card.authors))}</div>")
    if card.time:
        parts.append(
            f"<div class='text-muted touchup-date-div' id='touchup-date-event-{card.site_id}'>"
            f"{escape(card.time)}</div>"
        )
    if card.room:
        parts.append(f"<p class='text-muted'>[ {escape(card.room)} ]</p>")
    if card.abstract:
        parts.append(
            f"<div><a id='abstract-link-{card.site_id}' class='abstract-link' "
            f"data-toggle='collapse' href='#collapse-event-abstract-{card.site_id}'>Abstract</a>"
            f"<div id='collapse-event-abstract-{card.site_id}' class='collapse'>"
            f"<div class='abstract-display'><p>{escape(card.abstract)}</p></div></div></div>"
        )
    parts.append("</div>")
    return "".join(parts)


def listing_page(cards: list[Card], heading: str = "Posters") -> str:
    grid = "\n".join(card_html(card) for card in cards)
    return page(f"<h2>{escape(heading)}</h2><div class='grid-displaycards'>\n{grid}\n</div>")


def orals_index_page(cards: list[Card]) -> str:
    """The NeurIPS 2023 orals index: ``div.virtual-card > a`` with siblings for the rest."""
    rows = "\n".join(
        f"<tr><td><div class='virtual-card'><a class='small-title' "
        f"href='/virtual/{card.year}/oral/{card.site_id}'>{escape(card.title)}</a></div>"
        f"<div class='type_display_name_virtual_card'>{escape(card.kind)}</div>"
        f"<div class='author-str'>{escape(' · '.join(card.authors))}</div>"
        f"<details><summary>Abstract</summary><div class='text-start p-4'>"
        f"{escape(card.abstract or '')}</div></details></td></tr>"
        for card in cards
    )
    return page(f"<h2>Orals</h2><table>\n{rows}\n</table>")


@dataclass
class Row:
    title: str
    kind: str | None = None
    time: str | None = None
    authors: list[str] = field(default_factory=list)
    abstract: str | None = None
    site_id: int = 0
    paper: bool = False  # shown as '→ title' under the session above


def json_ld(name: str, people: list[str], kind: str = "Event") -> str:
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": name,
        "author": [{"@type": "Person", "name": person} for person in people],
    }
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def event_header(
    title: str,
    people: list[str],
    *,
    abstract: str | None = None,
    room: str | None = None,
    time: str | None = None,
    links: dict[str, str] | None = None,
) -> str:
    """The header of a 2025+ event, oral or poster page (its JSON-LD goes in <head>)."""
    pills = ""
    if room:
        pills += (
            f"<span class='meta-pill'><i class='fas fa-map-marker-alt'></i> {escape(room)}</span>"
        )
    if time:
        pills += f"<span class='meta-pill'><i class='far fa-calendar'></i> {escape(time)}</span>"
    buttons = "".join(
        f"<a class='btn btn-outline' href='{escape(url)}'>{escape(label)}</a>"
        for label, url in (links or {}).items()
    )
    section = (
        "<div class='abstract-section'><h3 class='abstract-header'>Abstract</h3>"
        f"<div class='abstract-text-inner'><p>{escape(abstract)}</p></div></div>"
        "<div class='abstract-section'><h3 class='abstract-header'>Lay Summary</h3>"
        "<div class='abstract-text-inner'><p>Plain words.</p></div></div>"
        if abstract
        else ""
    )
    return (
        f"<div class='event-header'><h1 class='event-title'>{escape(title)}</h1>"
        f"<div class='event-organizers'>{escape(' ⋅ '.join(people))}</div>"
        f"<div class='event-meta'>{pills}</div><div class='event-links'>{buttons}</div>"
        f"</div>{section}"
    )


def schedule_rows_page(title: str, organisers: list[str], rows: list[Row]) -> str:
    """A 2024+ workshop page: its header, then one ``tr.schedule-row`` per item."""
    body = []
    for row in rows:
        name = ("→ " if row.paper else "") + row.title
        cells = [f"<tr class='schedule-row' id='schedule-row-{row.site_id}'>"]
        cells.append(
            f"<td class='schedule-time'>{escape(row.time)}</td>" if row.time else "<td></td>"
        )
        cells.append(
            "<td><div class='schedule-event-name'>"
            f"<a href='/virtual/2024/{row.site_id}'>{escape(name)}</a></div>"
        )
        if row.kind:
            cells.append(f"<div class='schedule-event-type'>{escape(row.kind)}</div>")
        if row.authors:
            cells.append(f"<div class='schedule-authors'>{escape(' ⋅ '.join(row.authors))}</div>")
        if row.abstract:
            cells.append(
                "<button class='btn-link'>Abstract</button>"
                f"<div class='schedule-abstract collapse'>{escape(row.abstract)}</div>"
            )
        cells.append("</td></tr>")
        body.append("".join(cells))
    table = "<table class='table schedule-table'><tbody>\n" + "\n".join(body) + "\n</tbody></table>"
    header = event_header(
        title,
        organisers,
        abstract="A workshop about sequence models.",
        room="Straus 2",
        time="Fri 26 Jul 9 a.m. PDT",
    )
    return page(header + "\n" + table, head=json_ld(title, organisers))


def presentation_page(
    kind: str,
    title: str,
    authors: list[str],
    *,
    abstract: str,
    room: str,
    time: str,
    openreview: str,
) -> str:
    """A 2025+ oral or poster page."""
    header = event_header(
        title,
        authors,
        abstract=abstract,
        room=room,
        time=time,
        links={
            "OpenReview": f"https://openreview.net/forum?id={openreview}",
            "Slides": "/media/slides.pdf",
        },
    )
    return page(
        header, title=f"ICML 2025 {kind} {title}", head=json_ld(title, authors, "ScholarlyArticle")
    )


def sign_in_page(title: str, organisers: list[str]) -> str:
    """A workshop page as a signed-out visitor sees it: the header, then a sign-in notice."""
    header = event_header(title, organisers, abstract="What the workshop is about.")
    notice = (
        "<div class='alert alert-info'><p>Log in and register to view live content</p>"
        "<a class='btn' href='/accounts/login'>Log in</a></div>"
    )
    return page(header + notice, head=json_ld(title, organisers))


def multitrack_page() -> str:
    """A 2021 ``Conferences/<year>/ScheduleMultitrack?event=<id>`` workshop page."""
    return page(
        "<div class='maincard narrower Workshop' id='maincard_8357'>"
        "<div class='maincardHeader maincardType'>Workshop</div>"
        "<div class='maincardHeader maincardTime'>Sat Jul 24 09:00 AM -- 06:20 PM (PDT) @ </div>"
        "<div class='maincardBody'>Over-parameterization: Pitfalls and Opportunities</div>"
        "<div class='maincardFooter'>Yasaman Bahri · Quanquan Gu · Amin Karbasi</div>"
        "<div class='abstractContainer'><p>Modern models are overparameterized.</p></div></div>"
        "<table><tr><td>Sat 9:00 a.m. - 9:05 a.m.</td><td><div>Opening Remarks</div>"
        "<div>(Opening)</div><div><a href='/virtual/2021/12' title='permalink'>🔗</a></div>"
        "</td></tr><tr><td>Sat 9:05 a.m. - 9:50 a.m.</td><td>"
        "<div><a href='https://openreview.net/forum?id=Adv1'>Adversarial Examples</a></div>"
        "<div>(Invited talk)</div><div>Peter Bartlett <a href='/virtual/2021/13'>🔗</a></div>"
        "</td></tr></table><h3>Author Information</h3><p>Yasaman Bahri (Google Brain)</p>",
        title="ICML 2021 Schedule",
    )


def session_page() -> str:
    """A poster session's page: a moderator and numbered posters."""
    posters = "".join(
        f"<div class='poster'><span class='poster-number'>#{number}</span>"
        f"<h5><a href='/virtual/2023/poster/{number}'>{escape(title)}</a></h5>"
        f"<div class='authors'>{escape(authors)}</div></div>"
        for number, title, authors in (
            (36, "Paper A", "Ann Lee · Bo Chen"),
            (37, "Paper B", "Cy Dee · Ed Fox"),
        )
    )
    return page(
        "<h2>Poster Session</h2><h3>Poster Session 4 East</h3>"
        f"<div class='moderator'>Moderator: Jane Roe</div>{posters}"
    )


def feed_record(site_id: int, name: str, **fields: Any) -> dict[str, Any]:
    """One presentation of the JSON feed, in the shape of the 2025/2026 feeds."""
    base: dict[str, Any] = {
        "id": site_id,
        "uid": f"uid{site_id}",
        "name": name,
        "authors": [
            {"id": 1, "fullname": "Ann Lee", "url": "/api/users/1", "institution": "MIT"},
            {"id": 2, "fullname": "Bo Chen", "url": None, "institution": "Texas A&amp;M"},
        ],
        "decision": "Accept (poster)",
        "eventtype": "Poster",
        "session": "Poster Session 1",
        "room_name": "Hall A",
        "virtualsite_url": f"/virtual/2026/poster/{site_id}",
        "paper_url": f"https://openreview.net/forum?id=forum{site_id}",
        "starttime": "2026-07-14T10:00:00-08:00",
        "endtime": "2026-07-14T11:30:00-08:00",
        "poster_position": f"#{site_id % 1000}",
        "topic": "Theory",
        "keywords": ["Learning Theory"],
    }
    base.update(fields)
    return base


def feed_page(results: list[dict[str, Any]], *, next_url: str | None = None, count: int = 3) -> str:
    return json.dumps({"count": count, "next": next_url, "previous": None, "results": results})
