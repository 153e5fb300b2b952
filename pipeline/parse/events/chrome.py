"""The virtual sites' own furniture: menu, footer and sign-in lines, which are no content.

A browser's copy of any page starts with the site's menu ('Skip to yearly menu bar Skip to
main content', 'Main Navigation', the conference's links, the years...) and ends with its
footer (the logo notice, the cookie notice); a signed-out visitor sees 'Log in and register
to view live content' where a schedule would be. Each is recognised by its exact shape.
"""

from __future__ import annotations

import re
from enum import Enum, auto

__all__ = ["Chrome", "chrome_of", "is_sign_in_notice"]


class Chrome(Enum):
    menu = auto()  # navigation: furniture before the page's own content
    footer = auto()  # furniture anywhere (logo and cookie notices, 'Successful Page Load')
    sign_in = auto()  # the page withholds its content from signed-out visitors


# Navigation entries, case-folded (the conference's name is any single word).
_MENU = frozenset(
    {
        "main navigation", "toggle navigation", "help/faq", "downloads", "code of conduct",
        "create profile", "privacy policy", "my stuff", "login", "log in", "logout",
        "getting started", "schedule", "tutorials", "invited talks", "orals", "posters",
        "spotlights", "workshops", "affinity events", "socials", "community", "sponsors",
        "help", "test of time", "expo", "competitions", "journal track", "awards",
        "careers", "press", "my registrations", "search", "main conference",
        "events", "papers", "calendar", "layout:", "mini", "compact", "topic", "detail",
        # the conferences the same software serves: their name heads the menu
        "icml", "neurips", "nips", "iclr", "mlsys", "cvpr", "iccv", "eccv", "colm", "aistats",
        "uai", "corl", "wacv",
    }
)  # fmt: skip
# One alternation each, asked once per line (a page has thousands of lines).
_MENU_PATTERN = re.compile(
    "|".join(
        (
            r"skip to (?:yearly menu bar|main content)(?: skip to main content)?$",
            r"select year:?\s*(?:\(\d{4}\))?$",
            r"(?:19|20)\d{2}$",  # the year menu
            r"(?:contact|about) \w+$",  # 'Contact ICML'
            r"\w+ blog$",  # 'ICML Blog'
        )
    )
)
_FOOTER_PATTERN = re.compile(
    "|".join(
        (
            r"successful page load$",
            r"useful links$",
            r"the \w+ logo above may be used on presentations\b",
            r"\w+ uses cookies\b",
            r"accept cookies$",
            r"we use cookies\b",
            r"©|copyright\b",
        )
    )
)
_SIGN_IN = re.compile(
    r"^(?:please )?(?:log ?in|sign ?in)(?: and register)? to (?:view|see|access)\b", re.I
)


def is_sign_in_notice(text: str) -> bool:
    """'Log in and register to view live content' and its variants."""
    return _SIGN_IN.match(text.strip()) is not None


def chrome_of(text: str) -> Chrome | None:
    """What site furniture a (collapsed, non-empty) line is, or None for content."""
    if len(text) > 200:
        return None
    if is_sign_in_notice(text):
        return Chrome.sign_in
    folded = text.casefold()
    if folded in _MENU or _MENU_PATTERN.match(folded):
        return Chrome.menu
    if _FOOTER_PATTERN.match(folded):
        return Chrome.footer
    return None
