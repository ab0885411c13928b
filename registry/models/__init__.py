"""Every table of the registry, in the order they can be created."""

from registry.models.accounts import ApiToken, LoginAttempt, Membership, SessionRecord, User
from registry.models.audit import AuditChainHead, AuditEvent
from registry.models.clients import Client
from registry.models.clinics import Clinic
from registry.models.credentials import Credential, CredentialPeriod, CredentialVerification
from registry.models.events import ProductEventCount
from registry.models.holds import HoldRelease, LotHold
from registry.models.imports import ImportRun, RejectedRow, SourceState
from registry.models.inspections import CorrectiveAction, Finding, Inspection
from registry.models.jobs import JobRun
from registry.models.pigments import (
    Colorant,
    LotStatusChange,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
)
from registry.models.practitioners import Affiliation, Practitioner
from registry.models.procedures import Procedure, ProcedureLot
from registry.models.reactions import AdverseReaction, ReactionLot
from registry.models.recalls import Recall, RecallMatch, RecallReview, ReviewDecision
from registry.models.reminders import Reminder
from registry.models.reports import IssuedReport, ReportSupersession
from registry.models.rosters import RosterEntry

ALL_MODELS = [
    Clinic,
    User,
    Membership,
    ApiToken,
    SessionRecord,
    LoginAttempt,
    Practitioner,
    Affiliation,
    Credential,
    CredentialPeriod,
    CredentialVerification,
    Manufacturer,
    PigmentProduct,
    Colorant,
    PigmentLot,
    LotStatusChange,
    Client,
    Procedure,
    ProcedureLot,
    AdverseReaction,
    ReactionLot,
    Recall,
    RecallMatch,
    RecallReview,
    ReviewDecision,
    LotHold,
    HoldRelease,
    Inspection,
    Finding,
    CorrectiveAction,
    ImportRun,
    RejectedRow,
    IssuedReport,
    ReportSupersession,
    SourceState,
    RosterEntry,
    ProductEventCount,
    JobRun,
    Reminder,
    AuditEvent,
    AuditChainHead,
]

__all__ = [model.__name__ for model in ALL_MODELS] + ["ALL_MODELS"]
