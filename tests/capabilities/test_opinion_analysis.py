"""The stages of the analysis on their own: points, themes, stance, names, counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from govpilot.access import CallContext
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.capabilities.opinion.counts import month_of
from govpilot.capabilities.opinion.labels import fallback_label, label_theme
from govpilot.capabilities.opinion.points import MAX_POINTS, split_points
from govpilot.capabilities.opinion.stance import find_stances, parse_stance
from govpilot.capabilities.opinion.themes import cluster_themes, default_count
from govpilot.gateway import ModelGateway

CTX = CallContext("officer@hab.gov.hk", "HAB", "opinion", role="officer")


def test_points_are_sentences_short_ones_joined() -> None:
    points = split_points(
        [
            "Yes. Ban them: my son started gambling after seeing these ads at every match. "
            "They target children who watch football with their parents.",
            "同意。呢個政策好差，浪費公帑！我哋街坊都唔支持，希望政府三思。",
            "",
            "a. " * 40,
        ]
    )
    first = [p.text for p in points if p.response == 0]
    assert first[0].startswith("Yes. Ban them") and len(first) == 2
    chinese = [p.text for p in points if p.response == 1]
    assert chinese[0].startswith("同意。呢個政策好差") and " " not in chinese[0]
    assert not [p for p in points if p.response == 2]
    assert len([p for p in points if p.response == 3]) <= MAX_POINTS


def _blobs(rng: np.random.Generator, centres: list[int], per: int, dim: int = 32) -> np.ndarray:
    base = np.eye(dim)[centres]
    rows = np.repeat(base, per, axis=0) + 0.05 * rng.standard_normal((len(centres) * per, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_themes_stay_on_one_side_and_are_the_same_every_run() -> None:
    rng = np.random.default_rng(0)
    vectors = _blobs(rng, [0, 1, 2, 3], 10)
    # Blob 1 is said by both sides: it must become two themes, never one.
    sides = ["support"] * 10 + ["support"] * 5 + ["oppose"] * 5 + ["oppose"] * 20
    responses = list(range(40))
    themes = cluster_themes(vectors, sides, responses, target=5)
    assert 4 <= len(themes) <= 5
    for theme in themes:
        assert {sides[p] for p in theme.points} == {theme.side}
        assert theme.typical[0] in theme.points
    again = cluster_themes(vectors, sides, responses, target=5)
    assert [t.points for t in themes] == [t.points for t in again]


def test_the_default_count_grows_slowly_and_small_themes_are_folded() -> None:
    assert default_count(4) == 2 and default_count(100) == 10 and default_count(10_000) == 12
    rng = np.random.default_rng(1)
    vectors = np.vstack([_blobs(rng, [0], 30), _blobs(rng, [1], 1)])
    themes = cluster_themes(vectors, ["support"] * 31, list(range(31)))
    assert all(len(t.points) >= 2 for t in themes)


def test_stance_words_in_either_language() -> None:
    assert [parse_stance(a) for a in ("yes", "No.", "Unclear", "支持", "反對", "mixed", "?")] == [
        "support",
        "oppose",
        "unclear",
        "support",
        "oppose",
        "mixed",
        "unclear",
    ]


def _gateway(responder: Any) -> tuple[ModelGateway, ScriptedModel]:
    from govpilot.audit.events import MemoryAuditSink

    model = ScriptedModel(name="fake", responder=responder)
    return ModelGateway([model], MemoryAuditSink(), default_model="fake"), model


def test_the_model_reads_a_sample_and_a_classifier_the_rest() -> None:
    def responder(messages: Any) -> str:
        last = messages[-1].content
        if last.startswith("Question:"):
            return "Parks should ban smoking."
        return "yes" if "clean air" in last else "no"

    gateway, model = _gateway(responder)
    texts = [f"clean air please {i}" for i in range(30)] + [f"my own choice {i}" for i in range(30)]
    vectors = HashingEmbedder().embed_passages(texts)
    result = find_stances(gateway, CTX, "Ban smoking in parks?", texts, vectors, sample=20)
    assert sum(result.asked) == 20 and len(model.calls) == 21  # + the proposal
    assert result.proposal == "Parks should ban smoking."
    assert result.stances[:30] == ["support"] * 30 and result.stances[30:] == ["oppose"] * 30


def test_theme_names_in_both_languages_or_from_the_quotes() -> None:
    def answer(messages: Any) -> str:
        said = messages[-1].content
        return "Title: Night workers need it." if "sentences" in said else "夜班工人"

    gateway, model = _gateway(answer)
    label = label_theme(gateway, CTX, "Open all night?", "support", ["Workers walk at night."])
    assert (label.title_en, label.title_zh) == ("Night workers need it", "夜班工人")
    assert len(model.calls) == 2
    gateway, _ = _gateway(lambda m: "I'm sorry, I cannot help with that.")
    label = label_theme(gateway, CTX, "q", "oppose", ["noise noise at night", "noise and litter"])
    assert label.title_en.startswith("noise") and label.title_zh == label.title_en
    assert fallback_label([]) == "—"


@pytest.mark.parametrize(
    ("given", "month"),
    [
        ("2026-03-14", "2026-03"),
        ("2026/3/1", "2026-03"),
        ("2026年3月", "2026-03"),
        ("14/03/2026", "2026-03"),
        ("last week", ""),
    ],
)
def test_months_from_the_dates_people_write(given: str, month: str) -> None:
    assert month_of(given) == month
