"""Planning pages, one module per page family; urls.py imports them."""
