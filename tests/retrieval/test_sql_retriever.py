"""SqlRetriever on SQLite and PostgreSQL: ranking, scope enforcement, removal, replacement."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.retrieval import Chunk, Scope
from govpilot.retrieval.fusion import Fusion, fuse
from govpilot.retrieval.sql_retriever import SqlRetriever
from govpilot.storage.db import Database
from govpilot.storage.retrieval_tables import RetrievalChunkRow, RetrievalPostingRow

TEXTS = {
    "housing": "公共租住房屋的申請資格：申請人及其家庭成員的入息和資產不得超過限額。",
    "health": "衞生署提供疫苗接種服務，市民可預約到指定診所接種新冠疫苗。",
    "tax": "Salaries tax returns must be filed within one month of the date of issue.",
    "library": "公共圖書館的開放時間為上午十時至晚上七時，星期三休館。",
}


def chunk(key: str, *, dept: str = "HD", coll: str = "c1", doc: str | None = None) -> Chunk:
    return Chunk(
        id=f"{dept}-{coll}-{key}",
        collection_id=coll,
        department=dept,
        document_id=doc or f"doc-{key}",
        ordinal=0,
        text=TEXTS[key],
        source=f"{key}.pdf",
        title=key.title(),
        section="Overview",
        page=3,
        url=f"https://example.gov.hk/{key}",
        metadata={"lang": "zh"},
    )


@pytest.fixture
def retriever(database: Database) -> Iterator[SqlRetriever]:
    yield SqlRetriever(database, HashingEmbedder())


SCOPE = Scope("HD", ("c1",))


def test_finds_the_right_chunk_in_chinese_and_english(retriever: SqlRetriever) -> None:
    retriever.add([chunk(k) for k in TEXTS])
    hits = retriever.search("申請公屋有甚麼入息限額？", SCOPE, k=2)
    assert hits[0].chunk.id == "HD-c1-housing"
    assert hits[0].keyword_rank == 1 and hits[0].dense_rank is not None
    assert retriever.search("When must salaries tax returns be filed?", SCOPE)[0].chunk.id == (
        "HD-c1-tax"
    )
    # A Simplified query finds the Traditional passage.
    assert retriever.search("卫生署疫苗接种", SCOPE, k=1)[0].chunk.id == "HD-c1-health"


def test_hits_carry_the_chunk_and_its_citation(retriever: SqlRetriever) -> None:
    original = chunk("library")
    retriever.add([original])
    [hit] = retriever.search("圖書館開放時間", SCOPE, k=3)
    assert hit.chunk == original
    assert hit.citation.label() == "Library, Overview, p. 3"
    assert hit.score > 0


def test_other_departments_and_collections_are_never_returned(
    retriever: SqlRetriever, database: Database
) -> None:
    # The exact text of the query sits in another department and another collection; in
    # scope there is only a weak match.
    retriever.add(
        [
            chunk("housing", dept="SWD"),
            chunk("housing", coll="c2"),
            chunk("library"),
        ]
    )
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    hits = retriever.search(TEXTS["housing"], SCOPE, k=10)
    assert [h.chunk.id for h in hits] == ["HD-c1-library"]
    assert retriever.search(TEXTS["housing"], Scope("SWD", ("c1",)), k=10)[0].chunk.id == (
        "SWD-c1-housing"
    )
    both = retriever.search(TEXTS["housing"], Scope("HD", ("c1", "c2")), k=10)
    assert both[0].chunk.id == "HD-c2-housing"
    assert retriever.search(TEXTS["housing"], Scope("HD", ()), k=10) == []
    assert retriever.search(TEXTS["housing"], Scope("XX", ("c1",)), k=10) == []
    # Every statement that reads the index names the department (the scope is in SQL).
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert reads and all("department" in s for s in reads)


def test_remove_document_and_collection_empty_both_indexes(
    retriever: SqlRetriever, database: Database
) -> None:
    retriever.add([chunk("housing", doc="d1"), chunk("health", doc="d1"), chunk("tax")])
    retriever.add([chunk("library", coll="c2")])
    assert retriever.search("疫苗接種", SCOPE, k=5)[0].chunk.id == "HD-c1-health"
    assert retriever.remove_document("d1") == 2
    for query in ("疫苗接種", "公共租住房屋"):
        ids = [h.chunk.id for h in retriever.search(query, SCOPE, k=5)]
        assert "HD-c1-health" not in ids and "HD-c1-housing" not in ids
    assert retriever.keyword_search("疫苗接種", SCOPE, 5) == []
    assert len(retriever.dense_search("疫苗接種", SCOPE, 5)) == 1  # only the tax chunk left
    assert retriever.remove_collection("c2") == 1
    assert retriever.search("圖書館", Scope("HD", ("c2",)), k=5) == []
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(RetrievalChunkRow)) == 1
        pks = set(session.scalars(select(RetrievalPostingRow.chunk_pk)))
        assert len(pks) == 1
    assert retriever.remove_document("no-such-document") == 0


def test_re_adding_an_id_replaces_it(retriever: SqlRetriever, database: Database) -> None:
    retriever.add([chunk("housing"), chunk("tax")])
    assert retriever.keyword_search("疫苗接種", SCOPE, 5) == []
    replaced = Chunk(**{**chunk("housing").__dict__, "text": TEXTS["health"]})
    retriever.add([replaced])
    hits = retriever.search("疫苗接種", SCOPE, k=5)
    assert hits[0].chunk.id == "HD-c1-housing" and hits[0].chunk.text == TEXTS["health"]
    assert retriever.keyword_search("公共租住房屋", SCOPE, 5) == []
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(RetrievalChunkRow)) == 2


def test_a_second_retriever_sees_writes_of_the_first(database: Database) -> None:
    reader = SqlRetriever(database, HashingEmbedder())
    writer = SqlRetriever(database, HashingEmbedder())
    writer.add([chunk("tax")])
    assert len(reader.dense_search("tax", SCOPE, 5)) == 1
    writer.add([chunk("health")])
    assert len(reader.dense_search("tax", SCOPE, 5)) == 2  # cached vectors were refreshed
    writer.remove_document("doc-tax")
    writer.add([chunk("library")])
    dense_ids = {pk for pk, _ in reader.dense_search("tax", SCOPE, 5)}
    assert len(dense_ids) == 2


def test_keyword_only_without_an_embedder(database: Database) -> None:
    retriever = SqlRetriever(database, None)
    retriever.add([chunk(k) for k in TEXTS])
    hit = retriever.search("salaries tax", SCOPE, k=1)[0]
    assert hit.chunk.id == "HD-c1-tax" and hit.dense_rank is None


def test_vectors_of_another_embedder_are_ignored(database: Database) -> None:
    SqlRetriever(database, HashingEmbedder(dim=64)).add([chunk("tax")])
    other = SqlRetriever(database, HashingEmbedder(dim=128))
    assert other.dense_search("tax", SCOPE, 5) == []
    assert other.search("salaries tax", SCOPE, k=1)[0].chunk.id == "HD-c1-tax"


def test_empty_query_and_empty_index(retriever: SqlRetriever) -> None:
    assert retriever.search("anything", SCOPE) == []
    retriever.add([chunk("tax")])
    assert retriever.search("   ", SCOPE) == []
    assert retriever.search("，。", SCOPE, k=3)[0].keyword_rank is None  # dense only
    retriever.add([])


def test_fuse_weights_both_lists_and_keeps_ranks() -> None:
    fused = fuse([(1, 10.0), (2, 5.0), (3, 1.0)], [(3, 0.9), (2, 0.8), (4, 0.1)], 0.5)
    assert fused[0].key == 2  # second in both lists beats first in only one
    by_key = {h.key: h for h in fused}
    assert by_key[2].keyword_rank == 2 and by_key[2].dense_rank == 2
    assert by_key[4].keyword_rank is None and by_key[1].dense_rank is None
    assert fuse([], [], 0.5) == []
    assert [h.score for h in fuse([(1, 3.0), (2, 1.0)], [], 0.5)] == [1.0, 0.0]
    assert fuse([], [(7, 0.3)], 0.5)[0].score == 1.0


def test_chinese_queries_weigh_keywords_more_than_english_ones() -> None:
    fusion = Fusion()
    assert fusion.keyword_weight("公屋的申請資格") == pytest.approx(0.7)
    assert fusion.keyword_weight("public housing eligibility") == pytest.approx(0.4)
    assert 0.4 < fusion.keyword_weight("COVID-19 疫苗在哪裡接種") < 0.7
