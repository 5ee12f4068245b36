"""Saferplan: the workspace in which a Community Safety Partnership runs its statutory plan cycle."""
