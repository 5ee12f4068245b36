"""Delivery's records: quarterly returns, the risk register and funding. KPIs are planning's
(``planning.KPI`` and its values); delivery reads them against their targets."""
from .funding import Allocation, Claim, FundingStream, ReturnSpend  # noqa: F401
from .returns import RAG, QuarterlyReturn, Reminder, ReturnRound, ReturnStatus, ReturnLocked  # noqa: F401
from .risks import Risk, RiskRegister, RiskReview  # noqa: F401
from .api import ApiScope, ApiToken  # noqa: F401
from .jag import JagProblem, JagStatus  # noqa: F401
from .reviews import AnnualReview  # noqa: F401
from .scrutiny import ScrutinyReport  # noqa: F401
