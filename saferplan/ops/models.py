# No models. The module exists because `migrate` sends post_migrate only to apps that have one,
# and this app creates the shared cache table on that signal (apps.py).
