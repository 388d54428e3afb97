"""Demo practice artifacts for the on-track network: 26 protocols, agendas, tools and
links (nic/demo/artifact_content.py) shared by the six schools, some with two versions,
linked to the change ideas they serve and to the demo cycles that used them, including
cycles at other schools that borrowed them.

Files are made here (PDFs by fpdf2, so they hold real words; Markdown and CSV as text;
one PNG drawn with Pillow) and go through the library's own service, as an upload would:
storage, sniffing, version rows. Text extraction and previews then run in this process
at once, whether or not a broker is configured, so the demo's search finds words inside
the files straight away.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from nic.demo.artifact_content import ARTIFACTS
from nic.extensions import db
from nic.models import (
    Artifact,
    ArtifactVersion,
    ChangeIdea,
    Cycle,
    Membership,
    Network,
    School,
)
from nic.services.artifacts import artifacts
from nic.services.artifacts import links as artifact_links
from nic.services.artifacts.processing import process_now
from nic.transaction import commit

FIXED_DATE = datetime(2026, 9, 1, tzinfo=UTC)  # inside the PDFs: same bytes every run


def seed_artifacts(network: Network, schools: list[School]) -> int:
    """Share the demo artifacts in `network` (current, see use_network). Returns how many."""
    ideas = {idea.title: idea for idea in db.session.scalars(select(ChangeIdea))}
    for spec in ARTIFACTS:
        _seed_one(spec, schools, ideas)
    return len(ARTIFACTS)


def _seed_one(spec: dict, schools: list[School], ideas: dict) -> Artifact:
    school = schools[spec["school"]]
    idea = ideas.get(spec["idea"]) if spec.get("idea") else None
    home_cycles = _cycles(idea, school)
    author = _author(school, home_cycles)
    data = {
        "title": spec["title"],
        "description": spec["description"],
        "kind": spec["kind"],
        "tags": spec.get("tags", ""),
        "grade_band": "9",
        "subject": spec.get("subject", ""),
        "visibility": spec.get("visibility", "network"),
        "change_idea_ids": [idea.id] if idea else [],
        "cycle_id": home_cycles[0].id if home_cycles else None,
    }
    if "url" in spec:
        artifact = artifacts.create_artifact(author, author.user, {**data, "url": spec["url"]})
    else:
        name, content = spec["file"]
        upload = artifacts.Upload(io.BytesIO(render(name, content)), name)
        artifact = artifacts.create_artifact(author, author.user, data, upload)
        if "v2" in spec:
            note, more = spec["v2"]
            artifacts.add_version(
                author,
                author.user,
                artifact.id,
                artifacts.Upload(io.BytesIO(render(name, _extended(content, more))), name),
                note,
            )
        for version in _versions(artifact.id):
            process_now(version)
    for cycle in home_cycles[1:]:
        artifact_links.link_cycle(author, author.user, artifact.id, cycle.id)
    if spec.get("visibility", "network") == "network":
        for index in spec.get("used_at", []):
            # Another school borrowed it: the first cycle of its own test of the idea.
            borrowed = _cycles(idea, schools[index])[:1]
            for cycle in borrowed:
                borrower = _member_of(cycle.owner_id)
                artifact_links.link_cycle(borrower, borrower.user, artifact.id, cycle.id)
    _date(artifact.id, home_cycles)
    return artifact


def _cycles(idea: ChangeIdea | None, school: School) -> list[Cycle]:
    if idea is None:
        return []
    return list(
        db.session.scalars(
            select(Cycle)
            .where(Cycle.change_idea_id == idea.id, Cycle.school_id == school.id, Cycle.deleted_at.is_(None))
            .order_by(Cycle.start_date, Cycle.id)
        )
    )


def _author(school: School, cycles: list[Cycle]) -> Membership:
    """Whoever ran the school's first cycle of the idea (they may attach materials to it);
    else the school's first teacher leader."""
    if cycles:
        return _member_of(cycles[0].owner_id)
    return db.session.scalar(
        select(Membership)
        .where(Membership.school_id == school.id, Membership.role == "teacher_leader")
        .order_by(Membership.id)
    )


def _member_of(user_id: int) -> Membership:
    return db.session.scalar(select(Membership).where(Membership.user_id == user_id))


def _versions(artifact_id: int) -> list[ArtifactVersion]:
    return list(
        db.session.scalars(
            select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact_id).order_by(ArtifactVersion.number)
        )
    )


def _date(artifact_id: int, cycles: list[Cycle]) -> None:
    """Shared a few days before the first cycle that used it, a second version three weeks
    later, so the library reads like an autumn's work rather than one second's."""
    first = cycles[0].created_at - timedelta(days=2) if cycles else FIXED_DATE + timedelta(days=10)
    last = first
    for version in _versions(artifact_id):
        when = first + timedelta(days=21 * (version.number - 1))
        db.session.execute(update(ArtifactVersion).where(ArtifactVersion.id == version.id).values(created_at=when))
        last = when
    db.session.execute(update(Artifact).where(Artifact.id == artifact_id).values(created_at=first, updated_at=last))
    commit()


# --- files -------------------------------------------------------------------------------------


def render(name: str, content) -> bytes:
    """The bytes of a demo file, by its extension."""
    extension = name.rsplit(".", 1)[-1]
    if extension == "pdf":
        return pdf_document(content)
    if extension == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(content)
        return out.getvalue().encode()
    if extension == "png":
        return board_picture(content)
    return content.encode()


def _extended(content, more):
    return content + more if isinstance(content, list) else content + "\n" + more


def pdf_document(blocks: list[str]) -> bytes:
    """A letter-size PDF: "# " starts a heading, "- " a bullet, anything else a paragraph."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("nic demo")
    pdf.set_margins(22, 20)
    pdf.add_page()
    for block in blocks:
        if block.startswith("# "):
            pdf.set_font("Helvetica", "B", 15 if pdf.page_no() == 1 and pdf.get_y() < 30 else 12)
            pdf.ln(3)
            pdf.multi_cell(0, 8, block[2:], new_x="LMARGIN", new_y="NEXT")
        elif block.startswith("- "):
            pdf.set_font("Helvetica", size=11)
            pdf.set_x(28)
            pdf.multi_cell(0, 6, "\u00b7  " + block[2:], new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", size=11)
            pdf.multi_cell(0, 6, block, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def board_picture(columns: list[str]) -> bytes:
    """A whiteboard laid out in columns, each headed by its label."""
    from PIL import Image, ImageDraw

    width, height = 960, 540
    image = Image.new("RGB", (width, height), (250, 250, 247))
    draw = ImageDraw.Draw(image)
    column = width // len(columns)
    for index, label in enumerate(columns):
        left = index * column + 12
        draw.rectangle([left, 16, left + column - 24, height - 16], outline=(40, 70, 120), width=4)
        draw.text((left + 14, 30), label, fill=(20, 20, 20), font_size=18)
        for row in range(4):
            top = 90 + row * 100
            draw.rectangle([left + 14, top, left + column - 38, top + 70], fill=(255, 236, 150))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
