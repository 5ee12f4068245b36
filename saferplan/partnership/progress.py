"""Where each stage of the plan cycle stands, worked out from the stage's own data.

Each stage answers for itself through a small read function in its app's ``progress`` module
(``STAGE_READERS``), returning a ``Progress``: its status and the reasons behind it, in words a
manager can check. The task list never reads another stage's tables, and never shows a status set
by hand that the data contradicts; a manager may only mark a stage done, and that mark is recorded
(with who and when, in the audit history) and shown as the reason.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from .models import Stage, StageStatus


@dataclass(frozen=True)
class Progress:
    status: str  # a StageStatus value
    reasons: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return StageStatus(self.status).label


NOT_STARTED, IN_PROGRESS, COMPLETED = StageStatus.NOT_STARTED, StageStatus.IN_PROGRESS, StageStatus.COMPLETED

# stage -> "module:function" taking a partnership and returning a Progress.
STAGE_READERS = {
    Stage.ASSESSMENT: "saferplan.assessment.progress:assessment_progress",
    Stage.CONSULTATION: "saferplan.consultation.progress:consultation_progress",
    Stage.WORKSHOPS: "saferplan.planning.progress:workshops_progress",
    Stage.PLAN: "saferplan.planning.progress:plan_progress",
    Stage.EQUALITY: "saferplan.planning.progress:equality_progress",
    Stage.APPROVAL: "saferplan.planning.progress:approval_progress",
    Stage.DELIVERY: "saferplan.delivery.progress:delivery_progress",
}


# A partner officer's own work in the plan being delivered (their home page lists it).
OWN_WORK_READER = "saferplan.delivery.progress:own_work"


def own_work(access):
    module, function = OWN_WORK_READER.split(":")
    return getattr(importlib.import_module(module), function)(access)


def reader(stage: Stage):
    module, function = STAGE_READERS[stage].split(":")
    return getattr(importlib.import_module(module), function)


def derived_progress(partnership, stage: Stage) -> Progress:
    """The stage's status from its data alone."""
    return reader(stage)(partnership)

