"""The development corpus: real paper lists by other authors (../shared/corpus/lists/).

For each list: the number of cards equals the independent entry count of the corpus README,
the titles equal those an independent line scan of the list's own format reads (written
apart from the parser, one small pattern per list), and ten entries read by hand from the
file give their title, first author, venue, year and arXiv id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from pipeline.models import PaperCard, ReadmeDocument, SourceFormat
from pipeline.parse.readme import read_readme
from tests.conftest import SHARED_DIR, require

LISTS = SHARED_DIR / "corpus" / "lists"
TRUSTWORTHY = LISTS / "awesome-trustworthy-deep-learning" / "README.md"
FULL_LIST = LISTS / "awesome-trustworthy-deep-learning" / "FULL_LIST.md"
GRAPH_LLM = LISTS / "Awesome-Graph-LLM" / "README.md"
DIFFUSION = LISTS / "Awesome-Diffusion-Models" / "README.md"
AWESOME_LLM = LISTS / "Awesome-LLM" / "README.md"


class Entry(NamedTuple):
    line: int
    title: str
    first_author: str | None
    venue: str | None
    year: int | None
    arxiv_id: str | None


def entry(card: PaperCard) -> Entry:
    first = card.authors[0] if card.authors else None
    return Entry(card.provenance.line or 0, card.title, first, card.venue, card.year, card.arxiv_id)


_DOCUMENTS: dict[Path, ReadmeDocument] = {}


def document(path: Path) -> ReadmeDocument:
    if path not in _DOCUMENTS:
        text = require(path).read_text(encoding="utf-8")
        _DOCUMENTS[path] = read_readme(text, "corpus", SourceFormat.markdown).document
    return _DOCUMENTS[path]


# --------------------------------------------------------------------------- independent scans


def _normal(title: str) -> str:
    """A title as a reader sees it: bold markers and the one final period off."""
    return " ".join(title.replace("**", "").split()).rstrip(".").strip()


def _card_titles(text: str, first: int, last: int) -> list[str]:
    """'- Title. [[paper]](url)' cards ('[[paper](url)]', '([paper](url))' too, and '- - Title',
    a doubled bullet), lines first..last."""
    lines = text.split("\n")[first - 1 : last]
    paper = r"(?:\[\[paper\]\]|\[\[paper\]\(|\(\[paper\]\()"
    found = (re.match(rf"^- (?:- )?(.*?)\s*{paper}", line) for line in lines)
    return [_normal(match.group(1)) for match in found if match]


def trustworthy_titles(text: str) -> list[str]:
    """The '# Paper List' part of the README: from its heading to '# Related Awesome Lists'."""
    lines = text.split("\n")
    start = lines.index("# Paper List") + 1
    end = lines.index("# Related Awesome Lists") + 1
    return _card_titles(text, start, end)


def full_list_titles(text: str) -> list[str]:
    return _card_titles(text, 1, text.count("\n") + 1)


def graph_llm_titles(text: str) -> list[str]:
    """'- (*Venue'YY*) Title [[paper](url)]...' items, '## Resources & Tools' and after left out."""
    body = text.split("## Resources & Tools")[0]
    found = (re.match(r"^- \(\*?[^)]*?\*?\) (.*?)\s*\[\[", line) for line in body.split("\n"))
    return [_normal(match.group(1)) for match in found if match]


def diffusion_titles(text: str) -> list[str]:
    """'**Title** \\' paragraph heads under '# Papers'."""
    body = text.split("\n# Papers\n", 1)[1]
    found = (re.match(r"^\*\*(.*)\*\*\s*\\?\s*$", line) for line in body.split("\n"))
    return [_normal(match.group(1)) for match in found if match]


def milestone_titles(text: str) -> list[str]:
    """The link text in the last column of the milestone table (inside <details>)."""
    body = text.split("## Milestone Papers", 1)[1].split("</details>", 1)[0]
    found = (re.match(r"^\|.*\|\s*\[(.*)\]\([^)]*\)\s*\|?\s*$", line) for line in body.split("\n"))
    return [_normal(match.group(1)) for match in found if match]


SCANS: dict[str, tuple[Path, Callable[[str], list[str]], int]] = {
    # list: (file, independent scan, the corpus README's independent entry count)
    "trustworthy-readme": (TRUSTWORTHY, trustworthy_titles, 52),
    "trustworthy-full-list": (FULL_LIST, full_list_titles, 1152),
    "graph-llm": (GRAPH_LLM, graph_llm_titles, 178),
    "diffusion": (DIFFUSION, diffusion_titles, 2937),
    "awesome-llm": (AWESOME_LLM, milestone_titles, 62),
}


@pytest.mark.parametrize("name", sorted(SCANS))
def test_each_list_gives_its_independently_counted_entries_with_their_titles(name: str) -> None:
    path, scan, expected = SCANS[name]
    scanned = scan(require(path).read_text(encoding="utf-8"))
    assert len(scanned) == expected  # the scan agrees with the corpus README's count
    cards = document(path).items
    assert len(cards) == expected
    assert [card.title for card in cards] == scanned


# --------------------------------------------------------------------------- read by hand

# fmt: off
BY_HAND: dict[Path, list[Entry]] = {
    TRUSTWORTHY: [
        Entry(53, "Does Your Neural Network Extrapolate? Feature Engineering as Identifiability Bias for OOD Generalization", "Leonel Aguilar", None, None, "2605.07483"),  # noqa: E501
        Entry(83, "In-Context Representation Hijacking", "Itay Yona", None, None, "2512.03771"),
        Entry(118, "Leaky Thoughts: Large Reasoning Models Are Not Private Thinkers", "Tommaso Green", None, None, None),  # noqa: E501
        Entry(138, "Model Collapse Is Not a Bug but a Feature in Machine Unlearning for LLMs", "Yan Scholten", None, None, "2507.04219"),  # noqa: E501
        Entry(173, "Using AI Agents to Automate Black-Box Audits of Personalization Algorithms at Scale", "Alessandro Morosini", None, None, "2606.30801"),  # noqa: E501
        Entry(205, "Learning a Generative Meta-Model of LLM Activations", "Grace Luo", None, 2026, "2602.06964"),  # noqa: E501
        Entry(232, "Avoiding Leakage Poisoning: Concept Interventions Under Distribution Shifts", "Mateo Espinosa Zarlenga", None, 2025, "2504.17921"),  # noqa: E501
        Entry(257, "Projecting Assumptions: The Duality Between Sparse Autoencoders and Concept Geometry", "Sai Sumedh R. Hindupur", None, 2025, "2503.01822"),  # noqa: E501
        Entry(290, "The Geometry of Alignment Collapse: When Fine-Tuning Breaks Safety", "Max Springer", None, 2026, "2602.15799"),  # noqa: E501
        Entry(352, "Superintelligent Agents Pose Catastrophic Risks: Can Scientist AI Offer a Safer Path?", "Yoshua Bengio", None, 2025, "2502.15657"),  # noqa: E501
    ],
    FULL_LIST: [
        Entry(666, "Tackling Long-Tailed Category Distribution Under Domain Shifts", "Xiao Gu", "ECCV 2022", 2022, "2207.10150"),  # noqa: E501
        Entry(1273, "Nonlinear Invariant Risk Minimization: A Causal Approach", "Chaochao Lu", None, 2021, "2102.12353"),  # noqa: E501
        Entry(1905, "On the Robustness of Randomized Ensembles to Adversarial Perturbations", "Hassan Dbouk", None, 2023, "2302.01375"),  # noqa: E501
        Entry(2516, "Rethinking Image-Scaling Attacks: The Interplay Between Vulnerabilities in Machine Learning Systems", "Yue Gao", "ICML 2022", 2021, "2104.08690"),  # noqa: E501
        Entry(3157, "Data Poisoning Won't Save You From Facial Recognition", "Evani Radiya-Dixit", "ICLR 2022", 2021, "2106.14851"),  # noqa: E501
        Entry(3788, "Certified Neural Network Watermarks with Randomized Smoothing", "Arpit Bansal", "ICML 2022", 2022, "2207.07972"),  # noqa: E501
        Entry(4428, "Is Fairness Only Metric Deep? Evaluating and Addressing Subgroup Gaps in Deep Metric Learning", "Natalie Dullerud", "ICLR 2022", 2022, "2203.12748"),  # noqa: E501
        Entry(5101, "Preference Tuning with Human Feedback on Language, Speech, and Vision Tasks: A Survey", "Genta Indra Winata", None, 2024, "2409.11564"),  # noqa: E501
        Entry(5760, "DenseHybrid: Hybrid Anomaly Detection for Dense Open-set Recognition", "Matej Grcić", "ECCV 2022", 2022, "2207.02606"),  # noqa: E501
        Entry(6051, "The State of AI Ethics Report (June 2020)", "Abhishek Gupta", None, 2020, "2006.14662"),  # noqa: E501
    ],
    GRAPH_LLM: [
        Entry(32, "Knowledge Graph Based Synthetic Corpus Generation for Knowledge-Enhanced Language Model Pre-training", None, "NAACL'21", 2021, None),  # noqa: E501
        Entry(45, "GraphArena: Evaluating and Exploring Large Language Models on Graph Computation", None, "ICLR'25", 2025, "2407.00379"),  # noqa: E501
        Entry(57, "Exploring Graph Tasks with Pure LLMs: A Comprehensive Benchmark and Investigation", None, "arXiv 2025.02", 2025, "2502.18771"),  # noqa: E501
        Entry(77, "GraphGPT: Graph Instruction Tuning for Large Language Models", None, "SIGIR'24", 2024, "2310.13023"),  # noqa: E501
        Entry(104, "GraphArena: Evaluating and Exploring Large Language Models on Graph Computation", None, "ICLR'25", 2025, None),  # noqa: E501
        Entry(130, "GAugLLM: Improving Graph Contrastive Learning for Text-Attributed Graphs with Large Language Models", None, "arXiv 2024.06", 2024, "2406.11945"),  # noqa: E501
        Entry(145, "AutoAlign: Fully Automatic and Effective Knowledge Graph Alignment enabled by Large Language Models", None, "TKDE‘23", 2023, "2307.11772"),  # noqa: E501
        Entry(176, "LLaMo: Large Language Model-based Molecular Graph Assistant", None, "NeurIPS'24", 2024, "2411.00871"),  # noqa: E501
        Entry(195, "A Survey of Graph Retrieval-Augmented Generation for Customized Large Language Models", None, "arXiv 2025.01", 2025, "2501.13958"),  # noqa: E501
        Entry(228, "LLMs hallucinate graphs too: a structural perspective", None, "Complex Networks 2024", 2024, "2409.00159"),  # noqa: E501
    ],
    DIFFUSION: [
        Entry(241, "A Survey on Video Diffusion Models", "Zhen Xing", "arXiv 2023", 2023, "2310.10647"),  # noqa: E501
        Entry(1813, "A Flexible Diffusion Model", "Weitao Du", "ICML 2023", 2022, "2206.10365"),
        Entry(3391, "Towards image compression with perfect realism at ultra-low bitrates", "Marlène Careil", "arXiv 2023", 2023, "2310.10325"),  # noqa: E501
        Entry(5008, "Self-Supervised MRI Reconstruction with Unrolled Diffusion Models", "Yilmaz Korkmaz", "arXiv 2023", 2023, "2306.16654"),  # noqa: E501
        Entry(6616, "360-Degree Panorama Generation from Few Unregistered NFoV Images", "Jionghao Wang", "ACM MM 2023", 2023, "2308.14686"),  # noqa: E501
        Entry(8188, "PAIR-Diffusion: Object-Level Image Editing with Structure-and-Appearance Paired Diffusion Models", "Vidit Goel", "arXiv 2023", 2023, "2303.17546"),  # noqa: E501
        Entry(9775, "3D Scene Diffusion Guidance using Scene Graphs", "Mohammad Naanaa", "arXiv 2023", 2023, "2308.04468"),  # noqa: E501
        Entry(11358, "DiffHPE: Robust, Coherent 3D Human Pose Lifting with Diffusion", "Cédric Rommel", "arXiv 2023", 2023, "2309.01575"),  # noqa: E501
        Entry(12907, "StoRM: A Diffusion-based Stochastic Regeneration Model for Speech Enhancement and Dereverberation", "Jean-Marie Lemercier", "ICASSP 2023", 2022, "2212.11851"),  # noqa: E501
        Entry(14489, "Protein structure generation via folding diffusion", "Kevin E. Wu", "arXiv 2022", 2022, "2209.15611"),  # noqa: E501
    ],
    AWESOME_LLM: [
        Entry(48, "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer", None, None, 2019, None),  # noqa: E501
        Entry(54, "On the Opportunities and Risks of Foundation Models", None, None, 2021, "2108.07258"),  # noqa: E501
        Entry(60, "Scaling Language Models: Methods, Analysis & Insights from Training Gopher", None, None, 2021, "2112.11446"),  # noqa: E501
        Entry(66, "PaLM: Scaling Language Modeling with Pathways", None, None, 2022, "2204.02311"),
        Entry(72, "Language Models are General-Purpose Interfaces", None, None, 2022, "2206.06336"),
        Entry(78, "Galactica: A Large Language Model for Science", None, None, 2022, "2211.09085"),
        Entry(84, "PaLM-E: An Embodied Multimodal Language Model", None, None, 2023, None),
        Entry(90, "RWKV: Reinventing RNNs for the Transformer Era", None, None, 2023, "2305.13048"),
        Entry(96, "DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts Language Model", None, None, 2024, "2405.04434"),  # noqa: E501
        Entry(102, "Qwen2.5 Technical Report", None, None, 2024, "2412.15115"),
    ],
}
# fmt: on


@pytest.mark.parametrize(
    "path", sorted(BY_HAND), ids=lambda path: path.parent.name + "/" + path.name
)
def test_ten_entries_read_by_hand_from_each_list(path: Path) -> None:
    by_line = {card.provenance.line: card for card in document(path).items}
    for expected in BY_HAND[path]:
        assert entry(by_line[expected.line]) == expected


def test_the_trustworthy_toolboxes_give_no_cards() -> None:
    cards = document(TRUSTWORTHY).items
    assert not [card for card in cards if "Toolbox" in (card.section or "")]
    assert max(card.provenance.line or 0 for card in cards) < 364  # '# Related Awesome Lists'


def test_graph_llm_titles_are_free_of_venue_tags_and_brackets() -> None:
    titles = [card.title for card in document(GRAPH_LLM).items]
    assert not [title for title in titles if re.search(r"[\[\]]|^\(|\*", title)]
    assert all(card.venue for card in document(GRAPH_LLM).items)


def test_diffusion_entries_have_their_italic_authors_line_and_a_venue() -> None:
    lines = require(DIFFUSION).read_text(encoding="utf-8").split("\n")
    cards = document(DIFFUSION).items
    with_authors_line = [c for c in cards if lines[c.provenance.line or 0].startswith("*")]
    assert len(with_authors_line) > 2900  # a few entries have no authors line at all
    assert all(card.authors for card in with_authors_line)
    assert all(card.venue for card in cards)
    assert not [card for card in cards if (card.section or "").startswith("Introductory")]


def test_awesome_llm_gives_its_milestone_papers_and_none_of_its_tool_links() -> None:
    cards = document(AWESOME_LLM).items
    assert {card.section for card in cards} == {"Milestone Papers"}
