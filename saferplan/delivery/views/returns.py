"""Pages of the quarterly returns: the overview, actions (a partner officer's own), a sub-group's
actions, rounds, submitting a return and reading one."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View

from saferplan.core.pages import DetailPage
from saferplan.partnership.models import RoleKind, SubGroup

from .. import planning_reads as planning
from ..forms import ReturnForm, RoundForm
from ..models import QuarterlyReturn, ReturnRound
from ..services import kpis, returns
from ..services.funding import pounds, spend_of_return
from .base import DeliveryMixin, FormPage, Page, done, post_only, url


def _rag_counts(rows) -> dict:
    counts = {"red": 0, "amber": 0, "green": 0, "none": 0}
    for row in rows:
        counts[row.ret.rag if row.ret else "none"] += 1
    return counts


class Overview(Page):
    template_name = "delivery/index.html"
    nav = "index"

    def data(self):
        today = timezone.localdate()
        round_ = returns.current_round(self.partnership, today)
        rows = returns.round_rows(round_, today) if round_ else []
        rounds = list(returns.rounds_of(self.partnership).filter(plan=self.plan)) if self.plan else []
        return {"round": round_, "rows": rows, "counts": _rag_counts(rows),
                "overdue": sum(1 for r in rows if r.overdue), "rounds": rounds,
                "quarters": returns.plan_quarters(self.plan) if self.plan else [],
                "action_rule": returns.RAG_RULE, "kpi_rule": kpis.RAG_RULE,
                "example": any(r.example for r in rounds)}


class Actions(Page):
    """A partner officer's home in delivery: their own organisation's actions and the returns due.
    Everyone else sees every action."""

    template_name = "delivery/actions.html"
    nav = "actions"

    def data(self):
        today = timezone.localdate()
        own = self.access.officer_for if RoleKind.PARTNER_OFFICER in self.access.kinds and not self.access.can(
            "run_returns") else None
        round_ = returns.current_round(self.partnership, today)
        if self.plan is None:
            return {"rows": [], "round": None, "own": own}
        if round_ is not None:
            rows = returns.round_rows(round_, today, organisations=own)
        else:
            actions = planning.actions_of(self.plan)
            if own is not None:
                actions = actions.filter(owner__in=own)
            rows = [returns.ReturnRow(a, None, False) for a in actions]
        for row in rows:
            row.can_submit = round_ is not None and returns.can_submit(self.access, row.action)
        return {"rows": rows, "round": round_, "own": own,
                "organisations": self.partnership.organisations.filter(pk__in=own) if own else None,
                "groups": SubGroup.objects.filter(partnership=self.partnership)}


class SubGroupActions(Page):
    template_name = "delivery/sub_group.html"
    nav = "actions"

    def data(self):
        group = get_object_or_404(SubGroup, partnership=self.partnership, pk=self.kwargs["pk"])
        today = timezone.localdate()
        round_ = returns.current_round(self.partnership, today)
        if round_ is not None:
            rows = returns.round_rows(round_, today, sub_group=group)
        elif self.plan is not None:
            rows = [returns.ReturnRow(a, None, False) for a in planning.actions_of(self.plan).filter(sub_group=group)]
        else:
            rows = []
        return {"group": group, "rows": rows, "round": round_, "counts": _rag_counts(rows)}


class Rounds(Page):
    template_name = "delivery/rounds.html"
    nav = "rounds"

    def data(self):
        today = timezone.localdate()
        found = []
        for round_ in returns.rounds_of(self.partnership):
            rows = returns.round_rows(round_, today)
            found.append({"round": round_, "submitted": sum(1 for r in rows if r.ret), "total": len(rows),
                          "overdue": sum(1 for r in rows if r.overdue)})
        return {"rounds": found}


class RoundOpen(FormPage):
    capability = "run_returns"
    nav = "rounds"
    heading = "Ask for quarterly returns"
    button = "Open the round"

    def make_form(self, data=None):
        plan = self.require_plan()
        taken = set(ReturnRound.objects.filter(plan=plan).values_list("quarter", flat=True))
        return RoundForm(data, quarters=[q for q in returns.plan_quarters(plan) if q.slug not in taken])

    def page(self):
        return {"back_url": url("rounds", self.partnership),
                "intro": "Every action of the adopted plan gets a return to fill in. Quarters are financial-year "
                         "quarters: Q1 is April to June."}

    def act(self, form):
        quarter = form.quarters[form.cleaned_data["quarter"]]
        round_ = returns.open_round(self.plan, quarter, form.cleaned_data["deadline"], self.request.user)
        done(self.request, f"Returns for {quarter.label} have been asked for, due by "
                           f"{form.cleaned_data['deadline']:%-d %B %Y}.")
        return round_.get_absolute_url()


class RoundMixin:
    def get_round(self) -> ReturnRound:
        return get_object_or_404(ReturnRound, partnership=self.partnership, quarter=self.kwargs["quarter"])


class RoundDetail(RoundMixin, Page):
    template_name = "delivery/round.html"
    nav = "rounds"

    def data(self):
        round_ = self.get_round()
        rows = returns.round_rows(round_)
        for row in rows:
            row.can_submit = returns.can_submit(self.access, row.action)
            row.spend = pounds(spend_of_return(row.ret)) if row.ret else "–"
        return {"round": round_, "rows": rows, "counts": _rag_counts(rows),
                "overdue": sum(1 for r in rows if r.overdue), "reminders": round_.reminders.all()[:20],
                "rule": returns.RAG_RULE}


class RoundRemind(RoundMixin, DeliveryMixin, View):
    capability = "run_returns"

    def get(self, request, *args, **kwargs):
        round_ = self.get_round()
        return post_only(request, round_.get_absolute_url(), "Go to the round to send reminders")

    def post(self, request, *args, **kwargs):
        from ..tasks import send_round_reminders

        round_ = self.get_round()
        send_round_reminders.enqueue(round_.pk, request.user.pk)
        done(request, "Reminders are being sent to the organisations with overdue returns.")
        return redirect(round_.get_absolute_url())


class ReturnSubmit(RoundMixin, FormPage):
    capability = "submit_returns"
    nav = "rounds"
    template = "delivery/return_form.html"

    def setup_objects(self):
        self.round_ = self.get_round()
        self.action = planning.action_in(self.partnership, self.kwargs["action"])
        if self.action is None or self.action.priority.theme.plan_id != self.round_.plan_id:
            raise Http404("No such action in this round")
        if not returns.can_submit(self.access, self.action):
            raise PermissionDenied("Partner officers submit returns only for their own organisation’s actions.")
        self.existing = returns.current_returns(self.round_).get(self.action.pk)

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_objects()
        return super().post(request, *args, **kwargs)

    def make_form(self, data=None):
        allocations = list(self.action.allocations.select_related("stream"))
        initial = {}
        if self.existing:
            e = self.existing
            initial = {"status": e.status, "narrative": e.narrative, "forecast_on": e.forecast_on, "rag": e.rag,
                       "rag_reason": e.rag_reason, "evidence_links": e.evidence_links,
                       **{f"spend_{s.allocation_id}": s.spent_to_date for s in e.spend.all()}}
        return ReturnForm(data, initial=initial, allocations=allocations, correcting=self.existing is not None)

    @property
    def heading(self):
        return ("Correct the return" if self.existing else "Submit the return") + f" for {self.round_.period.label}"

    @property
    def button(self):
        return "Submit the correction" if self.existing else "Submit the return"

    def page(self):
        standing = [kpis.standing(k, self.round_.period) for k in self.action.kpis.all()]
        return {"action": self.action, "round": self.round_, "existing": self.existing, "standings": standing,
                "rule": returns.RAG_RULE, "back_url": self.round_.get_absolute_url()}

    def act(self, form):
        d = form.cleaned_data
        ret = returns.submit_return(
            self.round_, self.action, status=d["status"], narrative=d["narrative"], rag=d["rag"],
            rag_reason=d.get("rag_reason", ""), forecast_on=d.get("forecast_on"),
            evidence_links=d.get("evidence_links", ""), spend=form.spend(),
            correction_reason=d.get("correction_reason", ""), user=self.request.user)
        done(self.request, f"The return for “{self.action.title}” has been "
                           f"{'corrected' if ret.corrects_id else 'submitted'} ({ret.get_rag_display()}).")
        return ret.get_absolute_url()


class ReturnDetail(DeliveryMixin, DetailPage):
    model = QuarterlyReturn
    partnership_path = "round__partnership"
    noun = "return"
    context_object_name = "ret"
    template_name = "delivery/return.html"

    def list_url(self):
        return url("rounds", self.partnership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ret = self.object
        chain = returns.chain_of(ret)
        context.update(chain=chain, current=chain[-1], spend_total=pounds(spend_of_return(ret)),
                       can_correct=returns.can_submit(self.access, ret.action) and chain[-1].pk == ret.pk)
        return context
