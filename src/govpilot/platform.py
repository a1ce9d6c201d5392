"""The Platform: real dependencies wired from Settings, for the CLI, the API and the web.

Capabilities never import this module; interfaces build one Platform and pass its parts.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from govpilot.access import CallContext, Role
from govpilot.accounts.model_access import ModelAccess
from govpilot.accounts.service import AccountService
from govpilot.accounts.signin import SignIn
from govpilot.audit.events import utc_now
from govpilot.audit.log import AuditLog
from govpilot.backends.registry import build_models, build_recogniser
from govpilot.backends.speech import SpeechRecogniser
from govpilot.capabilities.cases.analytics import CaseAnalytics
from govpilot.capabilities.cases.attachments import AttachmentReader
from govpilot.capabilities.cases.departments import DepartmentList, load_departments
from govpilot.capabilities.cases.desk import CaseDesk
from govpilot.capabilities.cases.escalation import WebhookNotifier
from govpilot.capabilities.cases.intake import CaseIntake
from govpilot.capabilities.cases.mail_transport import ImapMailbox, SmtpSender
from govpilot.capabilities.cases.replies import CaseReplies, Passage
from govpilot.capabilities.cases.routing import CaseRouter
from govpilot.capabilities.cases.store import CaseStore
from govpilot.capabilities.cases.work import CaseWork
from govpilot.capabilities.chat.answer import AnswerOptions, BotResponder
from govpilot.capabilities.chat.bots import BotStore
from govpilot.capabilities.chat.conversations import ConversationStore
from govpilot.capabilities.chat.service import BotService
from govpilot.capabilities.copilot import Copilot
from govpilot.capabilities.copilot_jobs import CopilotJobs
from govpilot.capabilities.draft import TemplateLibrary
from govpilot.capabilities.meeting_jobs import TranscribeMeeting, WriteMeetingMinutes
from govpilot.capabilities.meeting_store import MeetingStore
from govpilot.capabilities.meetings import MINUTES_JOB, TRANSCRIBE_JOB, Meetings
from govpilot.capabilities.minutes import MinutesWriter
from govpilot.capabilities.opinion.consultations import ANALYSE_JOB, Consultations
from govpilot.capabilities.opinion.opinion_jobs import AnalyseConsultation
from govpilot.capabilities.opinion.review import ThemeReview
from govpilot.capabilities.opinion.sentiment import SentimentModel
from govpilot.capabilities.opinion.store import OpinionStore
from govpilot.capabilities.redaction import RedactionService
from govpilot.capabilities.transcribe import Transcriber
from govpilot.config import Settings
from govpilot.gateway import ModelGateway
from govpilot.governance import AiRegister, Assessments
from govpilot.governance.approvals import Approvals
from govpilot.governance.incidents import Incidents
from govpilot.governance.model_cards import ModelCard, model_cards
from govpilot.governance.reviews import ReviewQueue
from govpilot.jobs.service import JobService
from govpilot.knowledge.ingest import UPLOAD
from govpilot.knowledge.upload_ingest import UploadIngest
from govpilot.knowledge.upload_jobs import SPOOL_DIR, UploadJobs
from govpilot.knowledge.upload_spool import UploadSpool
from govpilot.language import Glossary
from govpilot.privacy.detector import PiiDetector, default_detector
from govpilot.privacy.guard import PrivacyGuard
from govpilot.privacy.policy import PrivacyPolicy, load_or_create_salt
from govpilot.privacy.stored_text import StorageRedactor
from govpilot.storage.db import Database
from govpilot.storage.records import RecordStore

if TYPE_CHECKING:
    from govpilot.backends.embed import Embedder
    from govpilot.knowledge.knowledge_base import KnowledgeBase

_KNOWLEDGE_LOCK = threading.Lock()
_JOBS_LOCK = threading.Lock()
_UPLOADS_LOCK = threading.Lock()
_BOTS_LOCK = threading.Lock()
_OPINION_LOCK = threading.Lock()
_CASES_LOCK = threading.Lock()


@dataclass
class Platform:
    """Everything a capability needs, built once per process."""

    settings: Settings
    database: Database
    audit: AuditLog
    gateway: ModelGateway
    glossary: Glossary
    templates: TemplateLibrary
    privacy: PrivacyPolicy
    detector: PiiDetector
    storage_redactor: StorageRedactor
    records: RecordStore
    accounts: AccountService
    signin: SignIn
    #: The AI application register; the gateway names each call's application through it.
    register: AiRegister
    #: Collections, documents, ingest and search; built on first use (tests set their own).
    knowledge: KnowledgeBase | None = None
    #: Every background job and this process's queue worker; started on first use (tests
    #: set their own).
    jobs: JobService | None = None
    #: Uploads into collections, indexed in the background by the job workers.
    upload_jobs: UploadJobs | None = None
    #: Bots and their conversations; built on first use (keeps its conversation cache).
    bots: BotService | None = None
    #: The speech recogniser; None: the embedded Whisper model, loaded on first use.
    speech_recogniser: SpeechRecogniser | None = None
    #: The embedder opinion analysis clusters with; None: `opinion.embedder`, on first use.
    opinion_embedder: Embedder | None = None
    #: The sentiment classifier over its vectors; None: the one shipped, on first use.
    opinion_sentiment: SentimentModel | None = None
    #: The case desk's router; None: over `opinion_vectors` (e5), built on first use.
    case_router: CaseRouter | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Platform:
        """Build the platform; migrates the database so a fresh GOVPILOT_HOME just works."""
        settings = settings or Settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        database = Database(settings.resolved_database_url)
        database.migrate()
        audit = AuditLog(database)
        privacy = PrivacyPolicy.from_settings(settings)
        detector = PiiDetector(default_detector().recognizers, min_score=settings.privacy.min_score)
        accounts = AccountService(database, audit, settings.auth)
        register = AiRegister(database, audit, default_model=settings.default_model)
        gateway = ModelGateway(
            build_models(settings),
            audit,
            guard=PrivacyGuard(detector, privacy),
            default_model=settings.default_model,
            access=ModelAccess(accounts),
            application_of=register.application_of,
        )
        storage_redactor = StorageRedactor(detector, privacy, load_or_create_salt(settings))
        records = RecordStore(
            database, storage_redactor, settings.privacy.retention_days, settings.home / "blobs"
        )
        glossary = Glossary.merge(
            Glossary.load_default(), *(Glossary.from_csv(p) for p in settings.glossary_paths)
        )
        templates = TemplateLibrary.load([*settings.template_dirs, settings.home / "templates"])
        return cls(
            settings,
            database,
            audit,
            gateway,
            glossary,
            templates,
            privacy,
            detector,
            storage_redactor,
            records,
            accounts,
            SignIn(database, audit, settings.auth),
            register,
        )

    def knowledge_base(self) -> KnowledgeBase:
        """The knowledge services, over the SQL search index unless `knowledge` was set."""
        with _KNOWLEDGE_LOCK:
            if self.knowledge is None:
                # Imported here: the search index pulls in the embedder, which few commands need.
                from govpilot.knowledge.knowledge_base import KnowledgeBase

                self.knowledge = KnowledgeBase.from_settings(self.database, self.settings)
            return self.knowledge

    def bot_service(self) -> BotService:
        """The bot service, built once; its search index loads at the first question."""
        with _BOTS_LOCK:
            if self.bots is None:

                def responder() -> BotResponder:
                    retriever = self.knowledge_base().retriever
                    options = AnswerOptions(top_k=self.settings.retrieval.top_k)
                    return BotResponder(self.gateway, retriever, options)

                self.bots = BotService(
                    BotStore(self.database),
                    ConversationStore(self.database, self.records),
                    responder,
                    self.audit,
                    register=self.register,
                    reviews=self.reviews,
                )
            return self.bots

    @cached_property
    def model_cards(self) -> dict[str, ModelCard]:
        """What the register says about each configured model."""
        return model_cards(self.settings.models)

    @cached_property
    def reviews(self) -> ReviewQueue:
        """Human review queues (bot answers on the loop)."""
        return ReviewQueue(self.database, self.register, self.audit)

    @cached_property
    def approvals(self) -> Approvals:
        """Outputs held until a reviewer approves them (in the loop)."""
        return Approvals(self.reviews, self.records)

    @cached_property
    def incidents(self) -> Incidents:
        """Incidents reported against AI applications."""
        return Incidents(self.database, self.register, self.audit)

    @cached_property
    def assessments(self) -> Assessments:
        """AI Application Impact Assessments over the register."""
        return Assessments(
            self.database,
            self.register,
            self.audit,
            self.model_cards,
            retention_days=self.settings.privacy.retention_days.conversations,
        )

    @cached_property
    def transcriber(self) -> Transcriber:
        """Speech to text with the configured recogniser (the embedded Whisper base)."""
        return Transcriber(
            self.speech_recogniser or build_recogniser(self.settings),
            self.audit,
            self.settings.speech.max_minutes * 60,
            application_of=self.register.application_of,
        )

    @cached_property
    def minutes(self) -> MinutesWriter:
        """Minutes of meetings from their transcripts, through the guarded gateway."""
        return MinutesWriter(self.gateway)

    @cached_property
    def meetings(self) -> Meetings:
        """Recorded meetings: transcripts to correct, minutes to approve, as jobs."""
        speech = self.settings.speech
        return Meetings(
            MeetingStore(self.database, utc_now),
            self.records,
            self.job_service,
            self.audit,
            max_seconds=speech.max_minutes * 60,
            max_bytes=int(speech.max_upload_mb * 1024 * 1024),
        )

    @cached_property
    def consultations(self) -> Consultations:
        """Consultations and posts: imported redacted, analysed as jobs, reviewed."""
        return Consultations(
            OpinionStore(self.database, utc_now),
            self.records,
            self.storage_redactor,
            self.job_service,
            self.audit,
            max_bytes=int(self.settings.opinion.max_upload_mb * 1024 * 1024),
        )

    @cached_property
    def theme_review(self) -> ThemeReview:
        """The officer's changes to a consultation's themes."""
        return ThemeReview(self.consultations, self.opinion_vectors)

    def opinion_vectors(self) -> Embedder:
        """The embedder of opinion analysis (`opinion.embedder`), built once."""
        with _OPINION_LOCK:
            if self.opinion_embedder is None:
                from govpilot.backends.embed import E5Embedder

                self.opinion_embedder = E5Embedder()
            return self.opinion_embedder

    def sentiment_model(self) -> SentimentModel:
        """The sentiment classifier of opinion analysis (the shipped one unless set)."""
        with _OPINION_LOCK:
            if self.opinion_sentiment is None:
                self.opinion_sentiment = SentimentModel.load()
            return self.opinion_sentiment

    @cached_property
    def case_departments(self) -> DepartmentList:
        """The departments cases are routed to (`cases.departments_file`, else the 22)."""
        return load_departments(self.settings.cases.departments_file)

    def case_routing(self) -> CaseRouter:
        """The case router, built once (its duty vectors are made at the first case)."""
        with _CASES_LOCK:
            if self.case_router is None:
                self.case_router = CaseRouter(
                    self.case_departments, self.opinion_vectors(), self.gateway
                )
            return self.case_router

    @cached_property
    def case_desk(self) -> CaseDesk:
        """The case desk: intake from every channel, queues, replies, analytics."""
        cases = self.settings.cases
        desk = cases.desk_department or self.settings.department
        store = CaseStore(self.database, utc_now)
        departments = self.case_departments
        intake = CaseIntake(
            store,
            self.records,
            self.storage_redactor,
            self.case_routing,
            departments,
            self.audit,
            cases,
            desk=desk,
            read_text=AttachmentReader(self.settings.max_unpacked_bytes),
            notifier=WebhookNotifier(cases.escalation_url) if cases.escalation_url else None,
            clock=utc_now,
        )
        work = CaseWork(store, departments, self.audit, cases, desk=desk, clock=utc_now)
        replies = CaseReplies(
            work,
            store,
            self.gateway,
            departments,
            self.audit,
            search=self._case_passages,
            sender=self._case_sender,
            clock=utc_now,
        )
        return CaseDesk(
            intake,
            work,
            replies,
            CaseAnalytics(store, utc_now),
            departments,
            self.audit,
            own_addresses=tuple(a for a in (cases.mail.sender, cases.mail.imap_user) if "@" in a),
            mailbox=self._case_mailbox,
        )

    def _case_passages(self, department: str, query: str, k: int) -> list[Passage]:
        """Passages of `department`'s collections for a reply (none: no collections)."""
        knowledge = self.knowledge_base()
        collections = knowledge.collections.list(department)
        if not collections:
            return []
        return [hit.chunk for hit in knowledge.search(department, collections, query, k)]

    def _case_sender(self) -> SmtpSender | None:
        mail = self.settings.cases.mail
        if not mail.smtp_host:
            return None
        return SmtpSender(
            mail.smtp_host,
            mail.smtp_port,
            user=mail.smtp_user,
            password=mail.smtp_password.get_secret_value() if mail.smtp_password else "",
            sender=mail.sender or mail.smtp_user,
            starttls=mail.smtp_starttls,
            ssl=mail.smtp_ssl,
        )

    def _case_mailbox(self) -> ImapMailbox | None:
        mail = self.settings.cases.mail
        if not mail.imap_host:
            return None
        return ImapMailbox(
            mail.imap_host,
            mail.imap_port,
            mail.imap_user,
            mail.imap_password.get_secret_value() if mail.imap_password else "",
            folder=mail.imap_folder,
            ssl=mail.imap_ssl,
        )

    @cached_property
    def redaction(self) -> RedactionService:
        """Personal data redaction for every interface, audited as "redact"."""
        return RedactionService(
            self.detector, self.audit, salt=lambda: load_or_create_salt(self.settings)
        )

    @cached_property
    def copilot(self) -> Copilot:
        """Translate, summarise and draft for every interface and the job workers."""
        return Copilot(self.gateway, self.glossary, self.templates, approvals=self.approvals)

    def copilot_jobs(self) -> CopilotJobs:
        """The copilot's kinds of job (translate, summarise, draft, redact) over its façades."""
        return CopilotJobs(self.copilot, self.redaction)

    @cached_property
    def upload_spool(self) -> UploadSpool:
        """Where uploads wait to be indexed (GOVPILOT_HOME, shared by every machine)."""
        return UploadSpool(self.settings.home / SPOOL_DIR)

    def new_job_service(self, *, workers: int | None = None) -> JobService:
        """A job service over these parts, not started (`job_service` keeps the started one):
        the copilot's kinds of job and uploads into collections."""
        return JobService(
            self.records,
            self.audit,
            self.accounts,
            self.copilot_jobs(),
            self.settings,
            handlers={
                UPLOAD: UploadIngest(self.knowledge_base, self.upload_spool),
                TRANSCRIBE_JOB: TranscribeMeeting(
                    self.meetings, self.transcriber, window=self.settings.speech.window_seconds
                ),
                MINUTES_JOB: WriteMeetingMinutes(self.meetings.store, self.minutes),
                ANALYSE_JOB: AnalyseConsultation(
                    self.consultations.store,
                    self.gateway,
                    self.opinion_vectors,
                    self.sentiment_model,
                    stance_sample=self.settings.opinion.stance_sample,
                ),
            },
            workers=self.settings.auth.job_workers if workers is None else workers,
            release=self.approvals.release_job,
        )

    def job_service(self) -> JobService:
        """The job service, built on first use unless `jobs` was set; it runs a queue worker
        in this process too unless `jobs.embedded_worker` is off (`govpilot worker` runs them)."""
        with _JOBS_LOCK:
            if self.jobs is None:
                self.jobs = self.new_job_service()
                if self.settings.jobs.embedded_worker:
                    self.jobs.start()
            return self.jobs

    def upload_job_service(self) -> UploadJobs:
        """Uploads into collections as jobs of the job service (whose worker runs here
        unless `jobs.embedded_worker` is off). Cheap: the knowledge services load when
        there is work."""
        with _UPLOADS_LOCK:
            if self.upload_jobs is None:
                self.upload_jobs = UploadJobs(
                    self.knowledge_base, self.upload_spool, self.job_service()
                )
            return self.upload_jobs

    def shutdown(self) -> None:
        """Stop the queue worker started here; unfinished work goes back to the queue."""
        if self.jobs is not None:
            self.jobs.shutdown()

    def cli_context(self, capability: str) -> CallContext:
        """The call context for a CLI command run by the local user."""
        s = self.settings
        return CallContext(
            actor=s.cli_user,
            department=s.department,
            capability=capability,
            session=uuid.uuid4().hex,  # one pseudonym vault per command
            # Whoever runs the CLI can open the database itself: it acts as platform admin.
            role=Role.PLATFORM_ADMIN.value,
        )
