"""Page templates: the virtual sites' known DOM shapes, each read by its structure.

To add a template: a module in this package with a ``read(page) -> PageReading | None``
function (None: the page is not of its shape) and one line in :data:`PAGE_TEMPLATES`, whose
order says which is asked first. A page no template reads goes to the line grammar
(:mod:`pipeline.parse.events.schedule`), with what its header says laid over the event.
"""

from __future__ import annotations

from pipeline.parse.events.templates.base import PageReading, PageTemplate
from pipeline.parse.events.templates.cards import read_listing_cards
from pipeline.parse.events.templates.header import Header, read_header
from pipeline.parse.events.templates.presentation import read_presentation
from pipeline.parse.events.templates.schedule_rows import read_schedule_rows

PAGE_TEMPLATES: list[PageTemplate] = [
    PageTemplate("schedule-rows", read_schedule_rows),  # workshop schedules, 2024 on
    PageTemplate("listing-cards", read_listing_cards),  # lists of orals, posters, workshops
    PageTemplate("presentation", read_presentation),  # one oral's or poster's page, 2025 on
]

__all__ = ["PAGE_TEMPLATES", "Header", "PageReading", "PageTemplate", "read_header"]
