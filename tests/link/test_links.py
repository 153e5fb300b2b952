"""A paper's links are typed by small ordered rules and listed once each."""

from __future__ import annotations

import pytest

from pipeline.link.links import link_kind, paper_links
from pipeline.models import Link, LinkKind


@pytest.mark.parametrize(
    ("label", "url", "kind"),
    [
        ("paper", "https://arxiv.org/abs/2201.02177", LinkKind.arxiv),
        ("paper", "https://arxiv.org/pdf/2201.02177v2", LinkKind.pdf),
        ("OpenReview", "https://openreview.net/forum?id=abcd1234", LinkKind.openreview),
        ("pdf", "https://openreview.net/pdf?id=abcd1234", LinkKind.pdf),
        ("code", "https://github.com/owner/repo", LinkKind.code),
        ("[link]", "https://huggingface.co/owner/model", LinkKind.code),
        ("site", "https://owner.github.io/project/", LinkKind.project),
        ("talk", "https://www.youtube.com/watch?v=x", LinkKind.video),
        ("paper", "https://proceedings.mlr.press/v139/x21a/x21a.pdf", LinkKind.pdf),
        ("Project Page", "https://example.org/grokking", LinkKind.project),
        ("Paper", "https://dl.acm.org/doi/10.1145/1", LinkKind.paper),
        ("blog", "https://example.org/post", LinkKind.project),
        ("?", "https://example.org/thing", LinkKind.other),
        ("code", "http://[broken", LinkKind.code),  # a URL that does not split: its label says
    ],
)
def test_each_link_is_typed_by_its_host_path_then_label(
    label: str, url: str, kind: LinkKind
) -> None:
    assert link_kind(Link(label=label, url=url)) is kind


def test_the_same_link_written_twice_is_listed_once_with_its_first_label() -> None:
    links = paper_links(
        [
            Link(label="paper", url="https://arxiv.org/abs/2201.02177"),
            Link(label="arXiv", url="http://arxiv.org/abs/2201.02177v2"),
            Link(label="code", url="https://github.com/o/r/"),
            Link(label="Code", url="https://www.github.com/o/r"),
            Link(label="pdf", url="https://arxiv.org/pdf/2201.02177"),
        ]
    )
    assert [(link.kind, link.label) for link in links] == [
        (LinkKind.arxiv, "paper"),
        (LinkKind.code, "code"),
        (LinkKind.pdf, "pdf"),
    ]
