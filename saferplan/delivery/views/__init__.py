"""Delivery's pages, by family: overview, returns, KPIs, risks, funding, reports. Thin: forms
check, services act, templates show."""
