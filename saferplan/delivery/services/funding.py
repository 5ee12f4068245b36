"""Funding: streams, allocations to actions, spend from returns, claims, and the balance of each.

Every figure is a ``Decimal`` in pounds and pence; totals are sums of the same figures shown beside
them, so a table always adds up to the penny.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ..models import Allocation, FundingStream, QuarterlyReturn, ReturnSpend
from ..quarters import Quarter, financial_year_of

ZERO = Decimal("0.00")

FLAG_RULES = (
    "Overspent: spend reported against the stream (or an allocation) is more than its amount. "
    "Over-allocated: more is allocated than the stream holds. Underspent: the financial year has ended and money "
    "is left. Behind profile: less than half of the straight-line share of the allocated money for the quarters "
    "gone has been spent. Spend is each action’s spend to date as its latest return reported it.")


def pounds(value: Decimal | None) -> str:
    """'£12,345.60' — money as people read it, always to the penny."""
    return "–" if value is None else f"£{Decimal(value).quantize(Decimal('0.01')):,.2f}"


def money(value: Decimal) -> str:
    """'12345.60' — money as the JSON export writes it."""
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


class FundingRefused(ValidationError):
    pass


def check_year(label: str) -> None:
    try:
        financial_year_of(label)
    except ValueError as exc:
        raise FundingRefused({"financial_year": str(exc)}) from None


def allocated(stream: FundingStream, excluding: Allocation | None = None) -> Decimal:
    qs = stream.allocations.all()
    if excluding is not None and excluding.pk:
        qs = qs.exclude(pk=excluding.pk)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def save_allocation(allocation: Allocation) -> Allocation:
    """Allocate money from a stream to an action of the same partnership; never more than the stream holds."""
    stream = FundingStream.objects.select_for_update().get(pk=allocation.stream_id)
    if allocation.action.priority.theme.plan.partnership_id != stream.partnership_id:
        raise FundingRefused({"action": "Choose an action of this partnership’s plan"})
    already = allocated(stream, excluding=allocation)
    if already + allocation.amount > stream.amount:
        raise FundingRefused({"amount": f"{pounds(allocation.amount)} would allocate more than the stream holds: "
                                        f"{pounds(stream.amount - already)} is left to allocate"})
    allocation.save()
    return allocation


def spent_to_date(allocation: Allocation, quarter: Quarter | None = None) -> Decimal:
    """The allocation's spend to date as the action's latest return (up to ``quarter``) reported it."""
    spends = ReturnSpend.objects.filter(allocation=allocation, quarterly_return__correction__isnull=True)
    if quarter is not None:
        spends = spends.filter(quarterly_return__round__quarter__lte=quarter.slug)
    latest = spends.order_by("-quarterly_return__round__quarter", "-quarterly_return__pk").first()
    return latest.spent_to_date if latest else ZERO


@dataclass
class AllocationLine:
    allocation: Allocation
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.allocation.amount - self.spent


@dataclass
class StreamSummary:
    stream: FundingStream
    lines: list[AllocationLine]
    claimed: Decimal
    quarter: Quarter | None
    flags: list[str] = field(default_factory=list)

    @property
    def allocated(self) -> Decimal:
        return sum((line.allocation.amount for line in self.lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        """What is left of the stream: its amount less what has been spent."""
        return self.stream.amount - self.spent

    @property
    def unallocated(self) -> Decimal:
        return self.stream.amount - self.allocated


def summary(stream: FundingStream, quarter: Quarter | None = None, today=None) -> StreamSummary:
    today = today or timezone.localdate()
    lines = [AllocationLine(a, spent_to_date(a, quarter))
             for a in stream.allocations.select_related("action__owner").order_by("pk")]
    claims = stream.claims.all()
    if quarter is not None:
        claims = claims.filter(quarter__lte=quarter.slug)
    claimed = claims.aggregate(total=Sum("amount"))["total"] or ZERO
    result = StreamSummary(stream, lines, claimed, quarter)
    result.flags = flags(result, today)
    return result


def flags(s: StreamSummary, today) -> list[str]:
    found = []
    if s.spent > s.stream.amount:
        found.append(f"Overspent by {pounds(s.spent - s.stream.amount)}")
    if s.allocated > s.stream.amount:
        found.append(f"Over-allocated by {pounds(s.allocated - s.stream.amount)}")
    for line in s.lines:
        if line.spent > line.allocation.amount:
            found.append(f"“{line.allocation.action.title}” has spent {pounds(line.spent - line.allocation.amount)} "
                         "more than its allocation")
    start, end = financial_year_of(s.stream.financial_year)
    at = s.quarter.end if s.quarter else today
    if at >= end and s.remaining > 0 and s.spent <= s.stream.amount:
        found.append(f"Underspent: {pounds(s.remaining)} unspent at the end of {s.stream.financial_year}")
    elif start <= at < end and s.allocated > 0:
        gone = Quarter.of(at).number if s.quarter else max(Quarter.of(at).number - 1, 0)
        profile = s.allocated * Decimal(gone) / Decimal(4)
        if gone and s.spent < profile / 2:
            found.append(f"Behind profile: {pounds(s.spent)} spent against {pounds(profile)} for "
                         f"{gone} quarter{'s' if gone != 1 else ''}")
    if s.claimed > s.spent:
        found.append(f"Claimed {pounds(s.claimed - s.spent)} more than has been spent")
    return found


def streams_of(partnership, financial_year: str | None = None):
    qs = FundingStream.objects.filter(partnership=partnership)
    if financial_year:
        qs = qs.filter(financial_year=financial_year)
    return qs


def summaries(partnership, quarter: Quarter | None = None, financial_year: str | None = None) -> list[StreamSummary]:
    return [summary(s, quarter) for s in streams_of(partnership, financial_year)]


def spend_by_quarter(stream: FundingStream) -> list[dict]:
    """Spend to date and spend in each quarter that has a return reporting against the stream."""
    quarters = sorted(set(ReturnSpend.objects.filter(allocation__stream=stream)
                          .values_list("quarterly_return__round__quarter", flat=True)))
    rows, before = [], ZERO
    for key in quarters:
        q = Quarter.parse(key)
        to_date = sum((spent_to_date(a, q) for a in stream.allocations.all()), ZERO)
        rows.append({"quarter": q.label, "to_date": to_date, "in_quarter": to_date - before})
        before = to_date
    return rows


def spend_of_return(ret: QuarterlyReturn) -> Decimal:
    return sum((s.spent_to_date for s in ret.spend.all()), ZERO)
