"""`saferplan demo` and `saferplan demo-code`: the demo partnership from the command line."""
from __future__ import annotations

from pathlib import Path

from saferplan.cli import CommandError, setup_django


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help="load (or refresh) the Melton demo partnership and print its sign-ins")
    demo.add_argument("--data", type=Path, help="the shared/data folder (default: ../shared/data)")
    demo.set_defaults(handler=run_demo)

    code = subparsers.add_parser("demo-code", help="print the current second-factor code of a demo sign-in")
    code.add_argument("email")
    code.set_defaults(handler=run_demo_code)


def run_demo(args) -> int:
    setup_django()
    from django.core.management import call_command

    from .demo import DEMO_PASSWORD, load_demo

    from django.conf import settings

    # A fresh checkout has no var/ yet: SQLite will not create the folder its file lives in.
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    result = load_demo(args.data)
    for step in _demo_steps():
        step(result.partnership)
    print(f"Demo partnership: {result.partnership.name}")
    print(f"Every demo sign-in uses the password: {DEMO_PASSWORD}")
    print("Managers and analysts also need a code: add the secret to an authenticator app, or run")
    print("  .venv/bin/saferplan demo-code EMAIL")
    width = max(len(s.email) for s in result.sign_ins)
    for s in result.sign_ins:
        secret = f"  second factor secret {s.totp_secret}" if s.totp_secret else ""
        print(f"  {s.email:<{width}}  {', '.join(s.roles)}{secret}")
    return 0


# Each stage adds its part of the demo (crime data, consultation, plan) through a module-level
# ``load(partnership)`` in its ``demo`` module; a stage without one is skipped.
DEMO_STEPS = [
    "saferplan.assessment.demo",
    "saferplan.consultation.demo",
    "saferplan.consultation.examples",
    "saferplan.planning.demo",
    "saferplan.delivery.demo",
]


def _demo_steps():
    import importlib

    for name in DEMO_STEPS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        yield module.load


def run_demo_code(args) -> int:
    setup_django()
    from django.conf import settings
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not (settings.DEMO or settings.TESTING):
        raise CommandError("demo-code only works on the demo (SAFERPLAN_ENV=demo)")
    device = TOTPDevice.objects.filter(user__email=args.email.lower(), name="Demo authenticator").first()
    if device is None:
        raise CommandError(f"{args.email} is not a demo sign-in with a second factor")
    print(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}")
    return 0
