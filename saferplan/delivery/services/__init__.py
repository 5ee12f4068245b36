"""Delivery's work, by family: returns, kpis, risks, funding, reports. Pages, the ``saferplan``
command line and documents all call these functions."""
