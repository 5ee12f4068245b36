"""The partnership's own look: its logo, checked and stored, for its pages and documents."""
from __future__ import annotations

import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import PartnershipLogo

# PNG and JPEG only: an SVG can carry script. Re-encoded through Pillow, so whatever else the
# uploaded file carried (metadata, appended bytes) is not kept or served.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
LOGO_MAX_BYTES = 500 * 1024
LOGO_MAX_SIDE = 2000


def checked_logo(upload) -> tuple[bytes, str]:
    """(the logo's bytes as stored, its content type); refused with what is wrong."""
    from PIL import Image, UnidentifiedImageError

    name = getattr(upload, "name", "the file")
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(f"{name} is {upload.size / 1024:,.0f} KB: the logo must be {LOGO_MAX_BYTES // 1024} KB or smaller")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            if image_format not in LOGO_FORMATS:
                raise ValidationError(f"{name} is a {image_format or 'different'} image: the logo must be a PNG or JPEG")
            if max(image.size) > LOGO_MAX_SIDE:
                raise ValidationError(f"{name} is {image.size[0]} by {image.size[1]} pixels: the logo must be at most "
                                      f"{LOGO_MAX_SIDE} pixels on each side")
            image.load()
            out = io.BytesIO()
            if image_format == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=90)
            else:
                image.save(out, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(f"{name} is not a PNG or JPEG image, or it is damaged") from None
    return out.getvalue(), LOGO_FORMATS[image_format]


def set_logo(partnership, upload, alt: str) -> None:
    data, content_type = checked_logo(upload)
    save_logo(partnership, data, content_type, alt)


@transaction.atomic
def save_logo(partnership, data: bytes, content_type: str, alt: str) -> None:
    """Store a checked logo (``checked_logo``) and say so in the partnership's history."""
    PartnershipLogo.objects.update_or_create(partnership=partnership, defaults={"data": data})
    partnership.logo_type, partnership.logo_alt = content_type, alt.strip()
    partnership.logo_digest = hashlib.sha256(data).hexdigest()
    partnership._change_reason = "Logo changed"
    partnership.save(update_fields=["logo_type", "logo_alt", "logo_digest"])


@transaction.atomic
def remove_logo(partnership) -> None:
    PartnershipLogo.objects.filter(partnership=partnership).delete()
    partnership.logo_type, partnership.logo_alt, partnership.logo_digest = "", "", ""
    partnership._change_reason = "Logo removed"
    partnership.save(update_fields=["logo_type", "logo_alt", "logo_digest"])


def logo_image(slug: str) -> tuple[bytes, str] | None:
    """(the image, its content type) of the partnership with this slug, or None."""
    row = (PartnershipLogo.objects.filter(partnership__slug=slug).exclude(partnership__logo_type="")
           .values_list("data", "partnership__logo_type").first())
    return (bytes(row[0]), row[1]) if row else None


def document_logo(partnership):
    """The partnership's logo for ``saferplan.documents.Document(logo=...)``, or None."""
    from saferplan.documents.document import Logo

    if not partnership.logo_type:
        return None
    data = PartnershipLogo.objects.filter(partnership=partnership).values_list("data", flat=True).first()
    return None if data is None else Logo(data=bytes(data), content_type=partnership.logo_type,
                                          alt=partnership.logo_alt)
