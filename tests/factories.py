"""Factories that build through the models directly (fast, explicit), inside a network
made current with use_network, the same way the product scopes its writes."""

from __future__ import annotations

import base64
import io
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    Aim,
    ApiToken,
    Artifact,
    ArtifactCycleLink,
    ArtifactVersion,
    AssessmentConsensus,
    AssessmentRating,
    AssessmentRound,
    ChangeIdea,
    Channel,
    ChartSplit,
    ConsensusEvidence,
    Cycle,
    CycleQuestion,
    DiagramRevision,
    Driver,
    Framework,
    FrameworkPractice,
    Invitation,
    Measure,
    MeasurePoint,
    Membership,
    Message,
    Network,
    Notification,
    School,
    Team,
    Thread,
    User,
)
from nic.services.accounts import passwords
from nic.services.accounts.secrets import digest, new_token
from nic.storage import get_storage
from nic.tenancy import use_network

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_network(slug: str | None = None, name: str | None = None) -> Network:
    n = next(_counter)
    network = Network(slug=slug or f"net-{n}", name=name or f"Network {n}")
    db.session.add(network)
    db.session.flush()
    return network


def make_school(network: Network, name: str | None = None) -> School:
    with use_network(network):
        school = School(name=name or f"School {next(_counter)}")
        db.session.add(school)
        db.session.flush()
    return school


def make_user(email: str | None = None, name: str | None = None, password: str = PASSWORD) -> User:
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.org",
        name=name or f"Person {n}",
        password_hash=passwords.hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_member(network: Network, role: str, school: School | None = None, user: User | None = None) -> Membership:
    user = user or make_user()
    with use_network(network):
        membership = Membership(user_id=user.id, role=role, school_id=school.id if school else None)
        db.session.add(membership)
        db.session.flush()
    return membership


def make_invitation(
    network: Network,
    inviter: User,
    email: str | None = None,
    role: str = "principal",
    school: School | None = None,
    expires_in: timedelta = timedelta(days=3),
) -> tuple[Invitation, str]:
    token = new_token()
    with use_network(network):
        invitation = Invitation(
            email=email or f"invitee{next(_counter)}@example.org",
            role=role,
            school_id=school.id if school else None,
            token_hash=digest(token),
            invited_by_id=inviter.id,
            expires_at=utcnow() + expires_in,
        )
        db.session.add(invitation)
        db.session.flush()
    return invitation, token


def make_token(user: User) -> tuple[ApiToken, str]:
    secret = new_token("nic_")
    token = ApiToken(user_id=user.id, name="test", prefix=secret[:12], token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def make_aim(network: Network, statement: str = "9th graders on track rises from 70% to 85% by June") -> Aim:
    with use_network(network):
        aim = Aim(
            statement=statement, population="9th graders", measure_label="on track", baseline=70, target=85, unit="%"
        )
        db.session.add(aim)
        db.session.flush()
    return aim


def make_driver(aim: Aim, title: str | None = None, kind: str = "primary", parents: list[Driver] = ()) -> Driver:
    with use_network(aim.network_id):
        driver = Driver(aim_id=aim.id, kind=kind, title=title or f"Driver {next(_counter)}", parents=list(parents))
        db.session.add(driver)
        db.session.flush()
    return driver


def make_change_idea(
    network: Network,
    title: str | None = None,
    drivers: list[Driver] = (),
    status: str = "accepted",
    aim: Aim | None = None,
) -> ChangeIdea:
    with use_network(network):
        idea = ChangeIdea(
            title=title or f"Change idea {next(_counter)}",
            status=status,
            drivers=list(drivers),
            aim_id=aim.id if aim else None,
            description="",
        )
        db.session.add(idea)
        db.session.flush()
    return idea


def make_revision(aim: Aim, author: User | None = None, summary: str = "Initial diagram") -> DiagramRevision:
    with use_network(aim.network_id):
        revision = DiagramRevision(
            aim_id=aim.id,
            author_id=author.id if author else None,
            summary=summary,
            snapshot={"aim": {"id": aim.id, "statement": aim.statement}, "drivers": [], "change_ideas": []},
        )
        db.session.add(revision)
        db.session.flush()
    return revision


def make_team(school: School, name: str | None = None, kind: str = "ilt", members: list[User] = ()) -> Team:
    with use_network(school.network_id):
        team = Team(school_id=school.id, name=name or f"Team {next(_counter)}", kind=kind, members=list(members))
        db.session.add(team)
        db.session.flush()
    return team


def make_cycle(
    school: School,
    owner: User | None = None,
    title: str | None = None,
    visibility: str = "network",
    phase: str = "plan",
    change_idea: ChangeIdea | None = None,
    parent: Cycle | None = None,
    team: Team | None = None,
    questions: list[tuple[str, str]] = (),
    **fields,
) -> Cycle:
    with use_network(school.network_id):
        cycle = Cycle(
            school_id=school.id,
            owner_id=owner.id if owner else None,
            title=title or f"Cycle {next(_counter)}",
            visibility=visibility,
            phase=phase,
            change_idea_id=change_idea.id if change_idea else None,
            parent_id=parent.id if parent else None,
            team_id=team.id if team else None,
            **fields,
        )
        cycle.questions = [CycleQuestion(question=q, prediction=p, position=i) for i, (q, p) in enumerate(questions)]
        db.session.add(cycle)
        db.session.flush()
    return cycle


def make_measure(
    network: Network,
    name: str | None = None,
    chart: str = "run",
    kind: str = "outcome",
    frequency: str = "weekly",
    direction: str = "up",
    **fields,
) -> Measure:
    with use_network(network):
        measure = Measure(
            name=name or f"Measure {next(_counter)}",
            chart=chart,
            kind=kind,
            frequency=frequency,
            direction=direction,
            **fields,
        )
        db.session.add(measure)
        db.session.flush()
    return measure


def make_points(measure: Measure, school: School, rows: list[tuple]) -> list[MeasurePoint]:
    """rows: (period, value) for run/i charts or (period, numerator, denominator) for p/u."""
    with use_network(measure.network_id):
        points = []
        for row in rows:
            if len(row) == 2:
                point = MeasurePoint(measure_id=measure.id, school_id=school.id, period=row[0], value=row[1])
            else:
                point = MeasurePoint(
                    measure_id=measure.id, school_id=school.id, period=row[0], numerator=row[1], denominator=row[2]
                )
            points.append(point)
        db.session.add_all(points)
        db.session.flush()
    return points


def make_split(measure: Measure, start_date, school: School | None = None, label: str = "New routine") -> ChartSplit:
    with use_network(measure.network_id):
        split = ChartSplit(
            measure_id=measure.id, school_id=school.id if school else None, start_date=start_date, label=label
        )
        db.session.add(split)
        db.session.flush()
    return split


TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def make_artifact(
    school: School,
    author: User | None = None,
    title: str | None = None,
    visibility: str = "network",
    kind: str = "protocol",
    url: str | None = None,
    versions: int = 1,
    cycle: Cycle | None = None,
    **fields,
) -> Artifact:
    """An artifact with `versions` versions whose small PDF-looking blobs really are in
    storage (the latest with a PNG preview), so downloads and previews answer 200. Tests of
    uploads themselves go through the service instead."""
    storage = get_storage()
    with use_network(school.network_id):
        artifact = Artifact(
            school_id=school.id,
            author_id=author.id if author else None,
            title=title or f"Artifact {next(_counter)}",
            visibility=visibility,
            kind=kind,
            url=url,
            **fields,
        )
        if url is None:
            artifact.versions = []
            for n in range(1, versions + 1):
                blob = storage.put_stream(
                    io.BytesIO(b"%PDF-1.4\n% nic test artifact, version " + str(n).encode() + b"\n%%EOF\n"), 1 << 20
                )
                artifact.versions.append(
                    ArtifactVersion(
                        number=n,
                        sha256=blob.sha256,
                        size=blob.size,
                        content_type="application/pdf",
                        filename=f"file-v{n}.pdf",
                        uploaded_by_id=author.id if author else None,
                        extraction_status="none",
                        preview_status="none",
                    )
                )
            if artifact.versions:
                preview = storage.put_stream(io.BytesIO(base64.b64decode(TINY_PNG)), 1 << 20)
                artifact.versions[-1].preview_sha256 = preview.sha256
                artifact.versions[-1].preview_status = "done"
        db.session.add(artifact)
        db.session.flush()
        if cycle is not None:
            db.session.add(
                ArtifactCycleLink(
                    artifact_id=artifact.id,
                    cycle_id=cycle.id,
                    version_id=artifact.versions[-1].id if artifact.versions else None,
                )
            )
            db.session.flush()
    return artifact


def make_channel(network: Network, name: str | None = None, roles: str = "") -> Channel:
    with use_network(network):
        channel = Channel(name=name or f"channel-{next(_counter)}", roles=roles)
        db.session.add(channel)
        db.session.flush()
    return channel


def make_thread(
    network: Network, subject: str, subject_id: int | None, title: str = "", author: User | None = None
) -> Thread:
    with use_network(network):
        thread = Thread(
            subject=subject, subject_id=subject_id, title=title, created_by_id=author.id if author else None
        )
        db.session.add(thread)
        db.session.flush()
    return thread


def make_message(thread: Thread, author: User | None, body: str = "Hello") -> Message:
    with use_network(thread.network_id):
        message = Message(thread_id=thread.id, author_id=author.id if author else None, body=body)
        db.session.add(message)
        db.session.flush()
        thread.last_message_id = message.id
        db.session.flush()
    return message


def make_notification(
    message: Message, user: User, kind: str = "mention", text: str | None = None, **fields
) -> Notification:
    with use_network(message.network_id):
        notification = Notification(
            user_id=user.id,
            kind=kind,
            actor_id=message.author_id,
            thread_id=message.thread_id,
            message_id=message.id,
            text=text or f"Someone mentioned you ({next(_counter)})",
            **fields,
        )
        db.session.add(notification)
        db.session.flush()
    return notification


@dataclass
class Tenant:
    network: Network
    schools: list[School]
    facilitator: Membership
    principal: Membership
    teacher_leader: Membership
    member: Membership
    invitation: Invitation
    invite_token: str
    api_token: ApiToken
    api_secret: str
    aim: Aim = None
    primary_driver: Driver = None
    secondary_driver: Driver = None
    change_idea: ChangeIdea = None
    revision: DiagramRevision = None
    team: Team = None
    cycle: Cycle = None  # shared with the network
    private_cycle: Cycle = None  # visible to its school only
    measure: Measure = None
    split: ChartSplit = None
    artifact: Artifact = None
    channel: Channel = None
    thread: Thread = None  # on `cycle`
    message: Message = None
    notification: Notification = None  # the facilitator's, about `message`
    framework: Framework = None  # the built-in core practices, adopted
    round: AssessmentRound = None  # open; the ILT of schools[0] (principal, teacher) rated practice 0
    rating: AssessmentRating = None  # the teacher's own rating (private to schools[0])
    consensus: AssessmentConsensus = None  # schools[0]'s agreed level on practice 0, evidence: `cycle`
    marker: str = field(default="")


def make_tenant(slug: str, label: str) -> Tenant:
    network = make_network(slug, f"{label} Network")
    schools = [make_school(network, f"{label} High School"), make_school(network, f"{label} Middle School")]
    facilitator = make_member(network, "facilitator", user=make_user(f"facilitator@{slug}.org", f"{label} Facilitator"))
    principal = make_member(network, "principal", schools[0], make_user(f"principal@{slug}.org", f"{label} Principal"))
    teacher = make_member(network, "teacher_leader", schools[0], make_user(f"teacher@{slug}.org", f"{label} Teacher"))
    member = make_member(network, "member", schools[1], make_user(f"member@{slug}.org", f"{label} Member"))
    invitation, invite_token = make_invitation(
        network, facilitator.user, f"invitee@{slug}.org", "teacher_leader", schools[1]
    )
    api_token, api_secret = make_token(facilitator.user)
    aim = make_aim(network, f"{label} ninth graders on track rises from 70% to 85% by June")
    primary = make_driver(aim, f"{label} strong relationships with adults")
    secondary = make_driver(aim, f"{label} advisory every week", kind="secondary", parents=[primary])
    idea = make_change_idea(network, f"{label} grade monitoring huddle", drivers=[secondary], aim=aim)
    revision = make_revision(aim, facilitator.user)
    team = make_team(schools[0], f"{label} instructional leadership team", members=[principal.user, teacher.user])
    cycle = make_cycle(
        schools[0],
        teacher.user,
        f"{label} huddle test one",
        change_idea=idea,
        team=team,
        questions=[(f"{label} will teachers flag students?", "Yes, most will")],
    )
    private = make_cycle(schools[0], teacher.user, f"{label} private trial", visibility="school")
    measure = make_measure(network, f"{label} on-track rate", chart="p", unit="%", aim_id=aim.id)
    make_points(measure, schools[0], [(date(2026, 9, 7), 14, 20), (date(2026, 9, 14), 15, 20)])
    split = make_split(measure, date(2026, 9, 14), schools[0])
    artifact = make_artifact(schools[0], teacher.user, f"{label} huddle protocol", cycle=cycle, versions=2)
    channel = make_channel(network, "general")
    thread = make_thread(network, "cycle", cycle.id, f"{label} huddle questions", teacher.user)
    message = make_message(thread, teacher.user, f"{label} asks: how did the huddle go?")
    notification = make_notification(message, facilitator.user, text=f"{label} Teacher mentioned you")
    framework = make_framework(network)
    practice = framework.practices[0]
    assessment_round = make_round(framework, f"{label} fall round", opened_by=facilitator.user)
    rating = make_rating(assessment_round, schools[0], teacher.user, practice, 1, note=f"{label} private note")
    consensus = make_consensus(
        assessment_round,
        schools[0],
        practice,
        1,
        notes=f"{label} agreed evidence",
        recorded_by=principal.user,
        cycles=[cycle],
    )
    return Tenant(
        network,
        schools,
        facilitator,
        principal,
        teacher,
        member,
        invitation,
        invite_token,
        api_token,
        api_secret,
        aim=aim,
        primary_driver=primary,
        secondary_driver=secondary,
        change_idea=idea,
        revision=revision,
        team=team,
        cycle=cycle,
        private_cycle=private,
        measure=measure,
        split=split,
        artifact=artifact,
        channel=channel,
        thread=thread,
        message=message,
        notification=notification,
        framework=framework,
        round=assessment_round,
        rating=rating,
        consensus=consensus,
        marker=label,
    )


def make_framework(
    network: Network, builtin: str = "leadership-core-practices", key: str | None = None, origin: str = "builtin"
) -> Framework:
    """The network's copy of a built-in framework, with one FrameworkPractice row per
    practice (what nic.services.assessments.frameworks keeps in step when it saves a document)."""
    from nic.frameworks import get_builtin, to_dict

    document = to_dict(get_builtin(builtin))
    if key:
        document["key"] = key
    with use_network(network.id):
        framework = Framework(
            key=document["key"], name=document["name"], origin=origin, based_on=builtin, document=document
        )
        position = 0
        for domain in document["domains"]:
            for practice in domain["practices"]:
                framework.practices.append(
                    FrameworkPractice(
                        key=practice["key"], name=practice["name"], domain=domain["name"], position=position
                    )
                )
                position += 1
        db.session.add(framework)
        db.session.flush()
    return framework


def make_round(
    framework: Framework, name: str | None = None, closed: bool = False, opened_by: User | None = None, **fields
) -> AssessmentRound:
    with use_network(framework.network_id):
        round_ = AssessmentRound(
            framework_id=framework.id,
            name=name or f"Round {next(_counter)}",
            opened_by_id=opened_by.id if opened_by else None,
            closed_at=utcnow() if closed else None,
            **fields,
        )
        db.session.add(round_)
        db.session.flush()
    return round_


def _level(framework: Framework, rank: int) -> str:
    return framework.document["levels"][rank]["key"]


def make_rating(
    round_: AssessmentRound, school: School, user: User, practice: FrameworkPractice, rank: int, note: str = ""
) -> AssessmentRating:
    with use_network(round_.network_id):
        rating = AssessmentRating(
            round_id=round_.id,
            school_id=school.id,
            user_id=user.id,
            practice_id=practice.id,
            level_rank=rank,
            level_key=_level(round_.framework, rank),
            note=note,
        )
        db.session.add(rating)
        db.session.flush()
    return rating


def make_consensus(
    round_: AssessmentRound,
    school: School,
    practice: FrameworkPractice,
    rank: int,
    notes: str = "",
    recorded_by: User | None = None,
    cycles: list[Cycle] = (),
    artifacts: list[Artifact] = (),
    measures: list[Measure] = (),
) -> AssessmentConsensus:
    with use_network(round_.network_id):
        consensus = AssessmentConsensus(
            round_id=round_.id,
            school_id=school.id,
            practice_id=practice.id,
            level_rank=rank,
            level_key=_level(round_.framework, rank),
            notes=notes,
            recorded_by_id=recorded_by.id if recorded_by else None,
        )
        consensus.evidence = (
            [ConsensusEvidence(cycle_id=c.id) for c in cycles]
            + [ConsensusEvidence(artifact_id=a.id) for a in artifacts]
            + [ConsensusEvidence(measure_id=m.id) for m in measures]
        )
        db.session.add(consensus)
        db.session.flush()
    return consensus


@dataclass
class TwoNetworks:
    a: Tenant
    b: Tenant


def two_networks() -> TwoNetworks:
    return TwoNetworks(a=make_tenant("alpha", "Alphaville"), b=make_tenant("beta", "Betatown"))
