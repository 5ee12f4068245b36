"""The planning pages, split by page family (see ``urls.py``)."""
from ..services import can_report

# fix/delivery imports can_report from here; its home is services.can_report.
__all__ = ["can_report"]
