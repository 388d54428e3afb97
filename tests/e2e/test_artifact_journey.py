"""Practice travels between schools (issue 5, item 7), real server, real worker, real
browser: a teacher leader uploads a protocol PDF from her cycle's Do step; a principal
at another school finds it by a word that is only inside the PDF (read by the extraction
task on a real Celery worker) and downloads the very same bytes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from nic.extensions import db
from nic.models import Artifact, ArtifactVersion
from nic.tenancy import use_network
from tests import factories
from tests.extraction import samples

# The e2e conftest shares the server fixtures only; this journey needs a worker too.
from tests.live.conftest import celery_worker  # noqa: F401
from tests.live.helpers import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]

WORD = "quokka-protocol"
TITLE = "Advisory huddle routine"
DESCRIPTION = "The routine our 9th-grade team follows on Fridays."
FILENAME = "huddle routine.pdf"
CYCLE_TITLE = "Friday huddle with two advisories"


@pytest.fixture(scope="session")
def blob_dir(tmp_path_factory) -> str:
    """One storage folder for the server that stores uploads and the worker that reads them."""
    return str(tmp_path_factory.mktemp("artifact-blobs"))


@pytest.fixture
def server(serve, blob_dir):
    return serve({"NIC_DATA_DIR": blob_dir})


@pytest.fixture
def worker(celery_worker, blob_dir):
    return celery_worker({"NIC_DATA_DIR": blob_dir})


@dataclass
class Seed:
    slug: str
    name: str
    network_id: int
    teacher_email: str
    principal_email: str
    other_title: str


@pytest.fixture
def seed(live_app) -> Seed:
    with live_app.app_context():
        network = factories.make_network("lakeshore", "Lakeshore On-Track Network")
        riverside = factories.make_school(network, "Riverside High")
        harbor = factories.make_school(network, "Harbor High")
        teacher = factories.make_member(network, "teacher_leader", riverside,
                                        factories.make_user("tess@riverside.org", "Tess Teacher"))
        principal = factories.make_member(network, "principal", harbor,
                                          factories.make_user("pat@harbor.org", "Pat Principal"))
        factories.make_cycle(riverside, teacher.user, CYCLE_TITLE, visibility="network", phase="do")
        # Something else in the library, which the search must leave out.
        other = factories.make_artifact(harbor, principal.user, "Harbor attendance call log", kind="data_tool")
        seeded = Seed(network.slug, network.name, network.id, teacher.user.email, principal.user.email, other.title)
        db.session.commit()
    return seeded


def sign_in(page: Page, base: str, email: str, seed: Seed) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/n/{seed.slug}/")


def _extraction_status(live_app, network_id: int) -> str | None:
    with live_app.app_context(), use_network(network_id):
        version = db.session.scalar(
            select(ArtifactVersion).join(Artifact, Artifact.id == ArtifactVersion.artifact_id)
            .where(Artifact.title == TITLE))
        status = version.extraction_status if version else None
        db.session.remove()
        return status


def test_a_protocol_shared_from_a_cycle_is_found_by_a_word_inside_it(server, worker, seed, live_app, new_page):
    base = server.url
    pdf = samples.pdf_bytes(f"Step one: open the {WORD} tracker.", "Step two: name three students each.",
                            title="Huddle routine")

    # --- the teacher leader, from her cycle's Do step ---------------------------------------------
    teacher = new_page()
    sign_in(teacher, base, seed.teacher_email, seed)
    teacher.get_by_role("navigation", name=seed.name).get_by_role("link", name="Cycles").click()
    teacher.get_by_role("link", name=CYCLE_TITLE).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(CYCLE_TITLE)
    do_step = teacher.get_by_role("region", name="Do")
    do_step.get_by_role("link", name=re.compile(r"share|attach|upload", re.IGNORECASE)).first.click()

    expect(teacher.get_by_role("heading", level=1)).to_have_text("Share a file or link")
    expect(teacher.get_by_text(CYCLE_TITLE).first).to_be_visible()
    teacher.get_by_label("File", exact=True).set_input_files(
        files=[{"name": FILENAME, "mimeType": "application/pdf", "buffer": pdf}])
    teacher.get_by_label("Title").fill(TITLE)
    teacher.get_by_label("Description").fill(DESCRIPTION)
    teacher.get_by_label("Type").select_option(label="Protocol")
    teacher.get_by_role("button", name="Share").click()

    # Back on the cycle, the protocol is listed among the materials of its Do step.
    expect(teacher.get_by_role("heading", level=1)).to_have_text(CYCLE_TITLE)
    expect(teacher.get_by_text(f"“{TITLE}” shared and attached to this cycle.")).to_be_visible()
    expect(teacher.get_by_role("region", name="Do").get_by_role("link", name=TITLE)).to_be_visible()

    # The worker reads the PDF in the background; search finds its words once it has.
    wait_until(lambda: _extraction_status(live_app, seed.network_id) in ("done", "failed"), timeout=60,
               message="the worker to extract the PDF's text")
    assert _extraction_status(live_app, seed.network_id) == "done"

    # --- a principal at another school -------------------------------------------------------------
    principal = new_page()
    sign_in(principal, base, seed.principal_email, seed)
    principal.get_by_role("navigation", name=seed.name).get_by_role("link", name="Library").click()
    expect(principal.get_by_role("heading", level=1)).to_have_text("Library")
    expect(principal.get_by_role("link", name=seed.other_title)).to_be_visible()
    principal.get_by_role("searchbox", name="Search").fill(WORD)
    principal.get_by_role("button", name="Search").click()

    results = principal.locator(".artifact-list > li")
    expect(results).to_have_count(1)
    expect(principal.get_by_role("link", name=seed.other_title)).to_have_count(0)
    expect(results.first).to_contain_text("Riverside High")
    expect(results.first).to_contain_text("Used in 1 cycle at 1 school")
    results.first.get_by_role("link", name=TITLE).click()

    expect(principal.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(principal.get_by_role("link", name=CYCLE_TITLE)).to_be_visible()
    with principal.expect_download() as download_info:
        principal.get_by_role("link", name=re.compile(r"^Download")).click()
    download = download_info.value
    assert download.suggested_filename == "huddle routine.pdf"
    assert Path(download.path()).read_bytes() == pdf
