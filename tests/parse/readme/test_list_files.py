"""The list files of its repository a README links to (FULL_LIST.md, paper_list/*.md)."""

from __future__ import annotations

import pytest

from pipeline.parse.readme.list_files import MAX_LIST_FILES, ListFile, linked_list_files

RAW = "https://raw.githubusercontent.com/owner/repo/abc1234/README.md"


def test_relative_markdown_links_resolve_against_the_raw_readme() -> None:
    text = "# L\n\n- [Evaluation](paper_list/evaluation.md)\n- [Alignment](./paper_list/a.md)\n"
    assert linked_list_files(text, RAW) == [
        ListFile("paper_list/evaluation.md", "https://raw.githubusercontent.com/owner/repo/abc1234/paper_list/evaluation.md"),
        ListFile("paper_list/a.md", "https://raw.githubusercontent.com/owner/repo/abc1234/paper_list/a.md"),
    ]  # fmt: skip


def test_github_urls_of_the_same_repository_are_read_at_the_readmes_own_ref() -> None:
    text = (
        '# L\n\nMore in <a href="https://github.com/Owner/repo/tree/master/FULL_LIST.md">'
        "the full list</a>.\n\n"
        "## Survey\n\n[Full list of Survey](https://github.com/owner/repo/blob/master/FULL_LIST.md#survey)\n"
    )
    assert linked_list_files(text, RAW) == [
        ListFile(
            "FULL_LIST.md", "https://raw.githubusercontent.com/owner/repo/abc1234/FULL_LIST.md"
        )
    ]


@pytest.mark.parametrize(
    "link",
    [
        "[other repository](https://github.com/someone/else/blob/main/LIST.md)",
        "[a site](https://example.org/papers.md)",
        "[contributing](CONTRIBUTING.md)",
        "[licence](LICENSE.md)",
        "[中文](README_zh.md)",
        "[itself](README.md)",
        "[a section](#papers)",
        "[a notebook](demo.ipynb)",
    ],
)
def test_other_repositories_sites_boilerplate_and_anchors_are_no_list_files(link: str) -> None:
    assert linked_list_files(f"# L\n\n- {link}\n", RAW) == []


def test_reference_definitions_and_html_blocks_are_read_too() -> None:
    text = (
        '# L\n\n<p align="center"><a href="lists/vision.md">Vision</a></p>\n\n'
        "- [Language][language]\n\n[language]: lists/language.md\n"
    )
    assert [found.name for found in linked_list_files(text, RAW)] == [
        "lists/vision.md",
        "lists/language.md",
    ]


def test_a_local_readme_reads_only_files_under_its_own_folder() -> None:
    text = "# L\n\n- [A](lists/a.md)\n- [Up](../secrets.md)\n- [Abs](/etc/b.md)\n"
    assert linked_list_files(text, "file:///home/me/list/README.md") == [
        ListFile("lists/a.md", "file:///home/me/list/lists/a.md")
    ]


def test_each_file_is_listed_once_in_the_order_first_linked_and_their_number_is_bounded() -> None:
    links = "".join(f"- [{n}](list{n % (MAX_LIST_FILES + 5)}.md#part{n})\n" for n in range(200))
    found = linked_list_files(f"# L\n\n{links}", RAW)
    assert len(found) == MAX_LIST_FILES
    assert [item.name for item in found[:3]] == ["list0.md", "list1.md", "list2.md"]
