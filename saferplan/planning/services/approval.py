"""The plan's approval: sending it to the next committee, recording a meeting's decision, and
adopting it."""
from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from .. import evidence_sources
from ..models import SENT_TO, STATE_PHRASES, ApprovalStep, Decision, IllegalMove, Plan, PlanStatus, PlanVersion
from .plan import _carry_kpi_values, prepare_public_documents, publish
from .prioritisation import ranked_issues, weights_for
from .versions import save_version, snapshot


def next_status(plan: Plan) -> str | None:
    """Where the "send" button takes the plan: the next committee. Full council adopts the plan
    by a recorded decision, never by a button."""
    following = {PlanStatus.DRAFT: PlanStatus.BOARD, PlanStatus.BOARD: PlanStatus.SCRUTINY,
                 PlanStatus.SCRUTINY: PlanStatus.CABINET, PlanStatus.CABINET: PlanStatus.COUNCIL}
    status = following.get(plan.status)
    return status.value if status else None


STAGE_AFTER = {"board": PlanStatus.SCRUTINY, "scrutiny": PlanStatus.CABINET, "cabinet": PlanStatus.COUNCIL}


def send_label(status: str | None) -> str | None:
    """The words of the button that sends the plan to ``status``."""
    return f"Send the plan to {SENT_TO[status]}" if status in SENT_TO else None


@transaction.atomic
def send_to(plan: Plan, status: str, user=None) -> PlanVersion:
    """Send the plan on to a committee (for example the draft to the board), keeping the version
    sent. Only through the plan's own transitions, and only those a button may make: referring
    back, adoption and superseding come only from a recorded decision."""
    plan.send_to_committee(status)
    return save_version(plan, f"Sent to {SENT_TO[status]}", user)


def outcome(stage: str, decision: str) -> str:
    """Where a committee's decision leaves the plan: full council's approval adopts it; an earlier
    committee's approval, recommendation or comments send it on; referred back returns it to draft;
    deferred leaves it at the committee."""
    if decision == Decision.REFERRED_BACK:
        return PlanStatus.DRAFT
    if decision == Decision.DEFERRED:
        return stage
    if stage == ApprovalStep.Stage.COUNCIL:
        return PlanStatus.ADOPTED if decision in (Decision.APPROVED, Decision.APPROVED_AMENDED) else PlanStatus.COUNCIL
    return STAGE_AFTER[stage]


def step_problem(plan: Plan, stage: str) -> str:
    """Why a meeting at ``stage`` cannot be recorded for the plan now ('' if it can)."""
    if not plan.editable:
        return ("The plan has been adopted, so its approval is complete. To change it, start a revision from the "
                "plan’s page: the revision goes through the board and the committees in the same way")
    if stage != plan.status and not plan.can_move_to(stage):
        labels = dict(ApprovalStep.Stage.choices)
        return (f"The plan is {STATE_PHRASES[plan.status]}, so a {labels.get(stage, stage).lower()} meeting cannot be "
                "recorded yet" + (": the partnership board signs the draft off first"
                                  if plan.status == PlanStatus.DRAFT else ""))
    return ""


@transaction.atomic
def record_step(plan: Plan, *, stage: str, committee: str, meeting_on: date, comments: str, decision: str,
                decision_text: str = "", user=None) -> ApprovalStep:
    """Record a meeting that considered the plan, keep the version it considered, and move the plan
    on as the decision says (see ``outcome``), through the plan's own transitions."""
    problem = step_problem(plan, stage)
    if problem:
        raise IllegalMove(problem)
    if plan.status != stage:
        plan.move_to(stage)  # the plan is at this meeting now (a committee may be skipped: not every council has a cabinet)
    version = save_version(plan, f"Considered by {committee} on {meeting_on:%-d %B %Y}", user)
    step = ApprovalStep.objects.create(plan=plan, stage=stage, committee=committee, meeting_on=meeting_on,
                                       comments=comments, decision=decision, decision_text=decision_text,
                                       version=version, recorded_by=user if getattr(user, "pk", None) else None)
    after = outcome(stage, decision)
    if after == PlanStatus.ADOPTED:
        adopt(plan)
    elif after != plan.status:
        plan.move_to(after)
    # The version kept is the one the committee considered; the record of its decision follows.
    version.snapshot = {**version.snapshot, "approval": snapshot(plan)["approval"]}
    version.save(update_fields=["snapshot"])
    return step


def adopt(plan: Plan) -> None:
    """Adopt the plan: keep its ranking, weights and evidence basis as they were when council
    approved it, supersede the plan it revises, and make it the public plan in its place."""
    plan.frozen = freeze(plan)
    plan.adopted_at = timezone.now()
    plan.adopt()
    previous = plan.revision_of
    if previous is not None and previous.status == PlanStatus.ADOPTED:
        _carry_kpi_values(plan)
        was_public = previous.published
        previous.supersede()
        if was_public:
            publish(previous, False)
            publish(plan)
    if plan.published:
        prepare_public_documents(plan)


def freeze(plan: Plan) -> dict:
    from ..documents import live_evidence_basis

    weights = weights_for(plan.partnership).as_dict()
    ranking = [{"rank": r.rank, "issue": r.issue.name, "total": r.total, "chosen": bool(r.priorities),
                "scores": {s.criterion: {"score": s.display, "figure": s.figure} for s in r.scores}}
               for r in ranked_issues(plan.partnership, weights, plan=plan)]
    concern = evidence_sources.concern_results(plan.partnership, question_id=plan.concern_question_id)
    return {"ranking": ranking, "weights": weights, "basis": live_evidence_basis(plan),
            "concern": ({"survey": concern.survey_title, "question": concern.question_text, "base": concern.base}
                        if concern else None)}


def plan_ranking(plan: Plan) -> list[dict]:
    """The ranked issues as the plan shows them: frozen at adoption, live while it is drafted."""
    if plan.frozen.get("ranking") is not None and not plan.editable:
        return plan.frozen["ranking"]
    return [{"rank": r.rank, "issue": r.issue.name, "total": r.total, "chosen": bool(r.priorities),
             "scores": {s.criterion: {"score": s.display, "figure": s.figure} for s in r.scores}}
            for r in ranked_issues(plan.partnership, plan=plan)]


def plan_weights(plan: Plan) -> dict[str, int]:
    if plan.frozen.get("weights") and not plan.editable:
        return plan.frozen["weights"]
    return weights_for(plan.partnership).as_dict()
