"""The public pages are valid HTML (KWCAG 2.2 keeps a "no markup errors" item).

The Nu Html Checker (vnu.jar, from the npm package vnu-jar) runs on the machine's Java;
`make vnu` installs it into the git-ignored .cache/vnu/. Where Java or the jar is missing
the test is skipped with the reason, except in CI, where it must run.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from partners.models import City
from tests.e2e.pages import LANGUAGES, Site
from tests.media_files import add_photos_and_a_document

VNU_JAR = Path(
    os.environ.get(
        "VNU_JAR", settings.BASE_DIR / ".cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
    )
)
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def vnu_command() -> list[str]:
    java = shutil.which("java")
    missing = [what for what, ok in [("java", java), (str(VNU_JAR), VNU_JAR.exists())] if not ok]
    if missing:
        reason = f"HTML validation needs {' and '.join(missing)} (make vnu)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]


def test_every_public_page_is_valid_html_in_korean_and_english(
    client, db, tmp_path: Path, settings
):
    command = vnu_command()
    call_command("load_demo_data", verbosity=0)
    # The partner page checked is shown with photos and a document.
    settings.MEDIA_ROOT = tmp_path / "media"
    add_photos_and_a_document(City.objects.published().order_by("slug").first())
    site = Site("")
    files: dict[str, str] = {}
    for language in LANGUAGES:
        for page in site.public_pages(language):
            response = client.get(page.path)
            assert response.status_code == page.status, page.path
            path = tmp_path / f"{language}-{page.name}.html"
            path.write_bytes(response.content)
            files[path.name] = page.path

    result = subprocess.run(
        command + [str(tmp_path / name) for name in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))} "
        f"line {m.get('lastLine')}: {m['message']}\n    {m.get('extract', '').strip()}"
        for m in messages
        if m["type"] in {"error", "non-document-error"}
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
