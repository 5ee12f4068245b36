"""The planning pages, split by page family (see ``urls.py``)."""
