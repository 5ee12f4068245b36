"""Takes the README's screenshot from a running demo (make demo), signed in as the demo manager."""
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "screenshot.png"
PATH = sys.argv[3] if len(sys.argv) > 3 else "/"


def demo_code(email):
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "saferplan"), "demo-code", email],
        capture_output=True, text=True, check=True, env={**os.environ, "SAFERPLAN_ENV": "demo"},
    ).stdout.strip()


with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    )
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(BASE + "/sign-in/")
    page.get_by_label("Email address").fill("manager@melton.example")
    page.get_by_label("Password").fill("saferplan-demo")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(demo_code("manager@melton.example"))
    page.get_by_role("button", name="Sign in").click()
    page.goto(BASE + PATH)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT), full_page=True)
    browser.close()
print(OUT)
