"""Where a serious adverse reaction stands against its deadline for the report to FDA.

MoCRA (FD&C Act 605, 21 U.S.C. 364a) has a serious adverse event reported to FDA within 15
business days of the information being received; the rule pack cites it as
us.mocra.serious-event-reported. The clock runs from the day the clinic learned of the
reaction (`aware_on`, day zero) and counts US federal business days: weekends and federal
holidays, on the day they are observed, do not count.

A clock is read as of a day. Its status is one of:

- "due": more than DUE_SOON_BUSINESS_DAYS business days left;
- "due soon": DUE_SOON_BUSINESS_DAYS business days left or fewer, but not the last day;
- "due today": the day is the deadline;
- "overdue": the deadline has passed and no report is recorded;
- "reported": reported to FDA by the deadline;
- "reported late": reported to FDA after it.

A reaction that is not serious has no clock (fda_clock answers None). A report dated after the
day the clock is read on does not count yet, so a clock as of an earlier day reads as it did
then.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from registry.clock import today
from registry.models import AdverseReaction
from registry.rules.calendar import add_business_days, is_business_day

# The federal rule the clock follows.
REPORTING_RULE = "us.mocra.serious-event-reported"
# MoCRA: a serious adverse event goes to FDA within 15 business days of learning of it.
SERIOUS_REPORT_BUSINESS_DAYS = 15
# From this many business days left, a report is "due soon".
DUE_SOON_BUSINESS_DAYS = 5

DUE, DUE_SOON, DUE_TODAY, OVERDUE = "due", "due soon", "due today", "overdue"
REPORTED, REPORTED_LATE = "reported", "reported late"
STATUSES = (DUE, DUE_SOON, DUE_TODAY, OVERDUE, REPORTED, REPORTED_LATE)


def business_days_after(start: date, end: date) -> int:
    """Business days after start up to and including end (0 when end is not after start)."""
    return sum(1 for n in range(1, (end - start).days + 1)
               if is_business_day(start + timedelta(days=n)))


@dataclass(frozen=True)
class Clock:
    """A serious reaction's FDA deadline, and its report if one was made, as of a day."""

    due_on: date
    reported_on: date | None
    day: date

    @property
    def overdue(self) -> bool:
        return self.reported_on is None and self.day > self.due_on

    @property
    def late(self) -> bool:
        return self.reported_on is not None and self.reported_on > self.due_on

    @property
    def days_left(self) -> int:
        """Business days from the day to the deadline; 0 once reported or past it."""
        return 0 if self.reported_on else business_days_after(self.day, self.due_on)

    @property
    def days_over(self) -> int:
        """Business days past the deadline: up to the day while no report is recorded, up to
        the report when it was late; 0 otherwise."""
        return business_days_after(self.due_on, self.reported_on or self.day)

    @property
    def status(self) -> str:
        if self.reported_on:
            return REPORTED_LATE if self.late else REPORTED
        if self.day > self.due_on:
            return OVERDUE
        if self.day == self.due_on:
            return DUE_TODAY
        return DUE_SOON if self.days_left <= DUE_SOON_BUSINESS_DAYS else DUE


def due_on(aware_on: date) -> date:
    """The last day to report a serious reaction the clinic learned of on aware_on."""
    return add_business_days(aware_on, SERIOUS_REPORT_BUSINESS_DAYS)


def fda_clock(reaction: AdverseReaction, day: date) -> Clock | None:
    """The FDA report clock of a serious reaction as of the day; None if it is not serious."""
    if not reaction.serious:
        return None
    reported = reaction.reported_to_fda_on
    return Clock(due_on(reaction.aware_on),
                 reported if reported is not None and reported <= day else None, day)


class Awaiting(NamedTuple):
    """A serious reaction not yet reported to FDA, and its clock."""

    reaction: AdverseReaction
    clock: Clock


def awaiting_report(clinic_ids=None, day: date | None = None) -> list[Awaiting]:
    """Serious reactions known by the day and not reported to FDA by it, soonest deadline
    first: at the clinics given, or at every clinic when clinic_ids is None."""
    day = day or today()
    query = AdverseReaction.select().where(
        (AdverseReaction.serious == True) & (AdverseReaction.aware_on <= day)  # noqa: E712
        & (AdverseReaction.reported_to_fda_on.is_null()
           | (AdverseReaction.reported_to_fda_on > day)))
    if clinic_ids is not None:
        query = query.where(AdverseReaction.clinic.in_(list(clinic_ids)))
    found = [Awaiting(reaction, fda_clock(reaction, day)) for reaction in query]
    return sorted(found, key=lambda row: (row.clock.due_on, row.reaction.id))
