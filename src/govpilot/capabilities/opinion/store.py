"""Consultations as stored: what an interface sees, and the reads and writes of the rows.

A consultation's changes go through `OpinionStore.change`, under a row lock, and bump its
version: a review made on an older version than the one stored is refused (Conflict), so
two officers correcting one consultation never overwrite each other's work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from govpilot.errors import Conflict, NotFound
from govpilot.storage.db import Database
from govpilot.storage.opinion_tables import ConsultationRow, OpinionResponseRow, OpinionThemeRow

__all__ = ["Consultation", "OpinionStore", "StoredResponse", "StoredTheme"]


@dataclass(frozen=True)
class Consultation:
    """One consultation: its name, where its analysis is, what its import found."""

    id: str
    department: str
    owner_id: str | None
    actor: str
    name: str
    source_record_id: str | None
    status: str
    done_questions: list[str]
    target_themes: int | None
    summary: dict[str, Any]
    analysis_job_id: str | None
    error: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ConsultationRow) -> Consultation:
        return cls(
            id=row.id,
            department=row.department,
            owner_id=row.owner_id,
            actor=row.actor,
            name=row.name,
            source_record_id=row.source_record_id,
            status=row.status,
            done_questions=list(row.done_questions or []),
            target_themes=row.target_themes,
            summary=dict(row.summary or {}),
            analysis_job_id=row.analysis_job_id,
            error=row.error,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @property
    def working(self) -> bool:
        return self.status in ("importing", "queued", "analysing")


@dataclass(frozen=True)
class StoredResponse:
    """One response as stored, its text redacted."""

    id: str
    external_id: str
    question: str
    text: str
    language: str
    respondent_type: str
    district: str
    submitted: str
    source: str
    campaign: str | None
    stance: str | None
    stance_read: bool
    sentiment: str | None
    #: [{"theme": id, "quote": sentence}]
    themes: list[dict[str, str]]
    problem: str | None
    redacted: dict[str, int]

    @classmethod
    def from_row(cls, row: OpinionResponseRow) -> StoredResponse:
        return cls(
            id=row.id,
            external_id=row.external_id,
            question=row.question,
            text=row.text,
            language=row.language,
            respondent_type=row.respondent_type,
            district=row.district,
            submitted=row.submitted,
            source=row.source,
            campaign=row.campaign,
            stance=row.stance,
            stance_read=row.stance_read,
            sentiment=row.sentiment,
            themes=list(row.themes or []),
            problem=row.problem,
            redacted=dict(row.redacted or {}),
        )

    @property
    def theme_ids(self) -> list[str]:
        return [t["theme"] for t in self.themes]


@dataclass(frozen=True)
class StoredTheme:
    """One theme of one question, named in both languages."""

    id: str
    question: str
    position: int
    side: str
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    typical: list[str]
    edited_by: str | None

    @classmethod
    def from_row(cls, row: OpinionThemeRow) -> StoredTheme:
        return cls(
            id=row.id,
            question=row.question,
            position=row.position,
            side=row.side,
            title_en=row.title_en,
            title_zh=row.title_zh,
            description_en=row.description_en,
            description_zh=row.description_zh,
            typical=list(row.typical or []),
            edited_by=row.edited_by,
        )


class OpinionStore:
    """The consultations, opinion_responses and opinion_themes tables."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def create(self, responses: Iterable[dict[str, Any]], **values: Any) -> Consultation:
        """A new consultation and its responses, in one transaction."""
        now = self.clock()
        row = ConsultationRow(
            **{
                "id": uuid.uuid4().hex,
                "status": "imported",
                "done_questions": [],
                "summary": {},
                "version": 1,
                "created_at": now,
                "updated_at": now,
                **values,
            }
        )
        with self.database.session() as session:
            session.add(row)
            session.flush()
            for position, data in enumerate(responses):
                session.add(_response_row(row.id, position, data))
            session.commit()
            return Consultation.from_row(row)

    def append(self, consultation_id: str, responses: Sequence[dict[str, Any]]) -> None:
        """More responses after those stored (posts pushed over the API)."""
        with self.database.session() as session:
            last = session.scalar(
                select(func.max(OpinionResponseRow.position)).where(
                    OpinionResponseRow.consultation_id == consultation_id
                )
            )
            start = -1 if last is None else int(last)
            for offset, data in enumerate(responses, 1):
                session.add(_response_row(consultation_id, start + offset, data))
            session.commit()

    def get(self, consultation_id: str) -> Consultation | None:
        with self.database.session() as session:
            row = session.get(ConsultationRow, consultation_id)
            return Consultation.from_row(row) if row is not None else None

    def named(self, department: str, name: str) -> Consultation | None:
        """The department's newest consultation of this name."""
        query = (
            select(ConsultationRow)
            .where(ConsultationRow.department == department, ConsultationRow.name == name)
            .order_by(ConsultationRow.created_at.desc())
            .limit(1)
        )
        with self.database.session() as session:
            row = session.scalars(query).first()
            return Consultation.from_row(row) if row is not None else None

    def listed(
        self, department: str | None, owner_id: str | None, limit: int
    ) -> list[Consultation]:
        query = select(ConsultationRow).order_by(ConsultationRow.created_at.desc()).limit(limit)
        if department is not None:
            query = query.where(ConsultationRow.department == department)
        if owner_id is not None:
            query = query.where(ConsultationRow.owner_id == owner_id)
        with self.database.session() as session:
            return [Consultation.from_row(r) for r in session.scalars(query)]

    def change(
        self,
        consultation_id: str,
        apply: Callable[[ConsultationRow], None],
        *,
        version: int | None = None,
    ) -> Consultation:
        """Apply a change to the row under a lock; Conflict if `version` is not the stored one."""
        with self.database.session() as session:
            query = select(ConsultationRow).where(ConsultationRow.id == consultation_id)
            row = session.scalars(query.with_for_update()).first()
            if row is None:
                raise NotFound(f"no consultation {consultation_id!r}")
            if version is not None and version != row.version:
                raise Conflict(
                    "the consultation was changed since you opened it",
                    hint="reload the page and make your change again",
                )
            apply(row)
            row.version += 1
            row.updated_at = self.clock()
            session.commit()
            return Consultation.from_row(row)

    def responses(self, consultation_id: str, question: str | None = None) -> list[StoredResponse]:
        """The responses in the order imported (one question's, or all)."""
        query = select(OpinionResponseRow).where(
            OpinionResponseRow.consultation_id == consultation_id
        )
        if question is not None:
            query = query.where(OpinionResponseRow.question == question)
        with self.database.session() as session:
            rows = session.scalars(query.order_by(OpinionResponseRow.position))
            return [StoredResponse.from_row(r) for r in rows]

    def themes(self, consultation_id: str, question: str | None = None) -> list[StoredTheme]:
        query = select(OpinionThemeRow).where(OpinionThemeRow.consultation_id == consultation_id)
        if question is not None:
            query = query.where(OpinionThemeRow.question == question)
        with self.database.session() as session:
            rows = session.scalars(
                query.order_by(OpinionThemeRow.question, OpinionThemeRow.position)
            )
            return [StoredTheme.from_row(r) for r in rows]

    def save_question(
        self,
        consultation_id: str,
        question: str,
        themes: Sequence[dict[str, Any]],
        found: dict[str, dict[str, Any]],
    ) -> None:
        """One question's analysis: its themes replace the old ones, and each response
        (by row id) gets its stance, sentiment, themes and problem; all in one transaction."""
        now = self.clock()
        with self.database.session() as session:
            session.execute(
                delete(OpinionThemeRow).where(
                    OpinionThemeRow.consultation_id == consultation_id,
                    OpinionThemeRow.question == question,
                )
            )
            for theme in themes:
                session.add(
                    OpinionThemeRow(
                        consultation_id=consultation_id,
                        question=question,
                        created_at=now,
                        edited_by=None,
                        **theme,
                    )
                )
            self._update_responses(session, consultation_id, found)
            session.commit()

    def update_responses(self, consultation_id: str, found: dict[str, dict[str, Any]]) -> None:
        with self.database.session() as session:
            self._update_responses(session, consultation_id, found)
            session.commit()

    @staticmethod
    def _update_responses(
        session: Any, consultation_id: str, found: dict[str, dict[str, Any]]
    ) -> None:
        rows = session.scalars(
            select(OpinionResponseRow).where(
                OpinionResponseRow.consultation_id == consultation_id,
                OpinionResponseRow.id.in_(list(found)),
            )
        )
        for row in rows:
            for key, value in found[row.id].items():
                setattr(row, key, value)

    def change_theme(self, theme_id: str, **values: Any) -> None:
        with self.database.session() as session:
            row = session.get(OpinionThemeRow, theme_id)
            if row is None:
                raise NotFound(f"no theme {theme_id!r}")
            for key, value in values.items():
                setattr(row, key, value)
            session.commit()

    def add_theme(self, consultation_id: str, **values: Any) -> str:
        theme_id = uuid.uuid4().hex
        with self.database.session() as session:
            session.add(
                OpinionThemeRow(
                    id=theme_id, consultation_id=consultation_id, created_at=self.clock(), **values
                )
            )
            session.commit()
        return theme_id

    def delete_theme(self, theme_id: str) -> None:
        with self.database.session() as session:
            session.execute(delete(OpinionThemeRow).where(OpinionThemeRow.id == theme_id))
            session.commit()

    def delete(self, consultation_id: str) -> None:
        with self.database.session() as session:
            session.execute(delete(ConsultationRow).where(ConsultationRow.id == consultation_id))
            session.commit()


def _response_row(consultation_id: str, position: int, data: dict[str, Any]) -> OpinionResponseRow:
    """A response's row as imported: nothing analysed yet."""
    return OpinionResponseRow(
        id=uuid.uuid4().hex,
        consultation_id=consultation_id,
        position=position,
        stance=None,
        stance_read=False,
        sentiment=None,
        themes=[],
        problem=None,
        **data,
    )
