from django import template

register = template.Library()


@register.filter
def capability(name, access):
    """``{% if "invite"|capability:access %}``: whether the signed-in user's roles allow it."""
    return bool(access) and access.can(name)
