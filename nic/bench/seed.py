"""`nic bench seed`: bulk-load a network of synthetic but realistic data for benchmarks.

Set-based and fast: ids are reserved up front (PostgreSQL sequences, or max(id) on
SQLite), every row is built in Python from nic.bench.data, and each table is written in
one go, by the COPY protocol (binary) on PostgreSQL with psycopg, or by executemany
batches of Core inserts elsewhere. Nothing goes through the ORM, so nic.tenancy's flush
hook never sees these rows: every row carries its `network_id` explicitly, the one of
the network being seeded, and tests/test_bench_seed.py checks each table against it.

One transaction for the whole run, with progress lines per stage: a half-seeded network
(schools without their cycles or points) would quietly skew every benchmark run on it
and a rerun would add to the damage, while on PostgreSQL a single transaction of a
million rows costs nothing extra (nobody sees the rows until the commit) and on SQLite
it is the fastest way to write at all. A failure leaves the database as it was.
Roll-ups are not triggered: run `nic rollup run` afterwards, as the benchmark does.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select, text

from nic import clock
from nic.bench import data
from nic.bench.network import ensure_network
from nic.bench.writer import Writer
from nic.extensions import db
from nic.models import (
    Artifact,
    ChangeIdea,
    Channel,
    Cycle,
    CycleChange,
    CyclePhaseMove,
    CycleQuestion,
    Measure,
    MeasurePoint,
    Membership,
    Message,
    School,
    Team,
    Thread,
    User,
)
from nic.models.artifact import artifact_change_ideas
from nic.models.team import team_members
from nic.services.accounts.passwords import hash_password
from nic.services.errors import ValidationFailed
from nic.services.measures.periods import current_period
from nic.services.validation import FieldErrors, clean_slug

DEFAULT_SEED = 20260406
BENCH_PASSWORD = data.BENCH_PASSWORD
LIMITS = {"schools": 20_000, "cycles": 5_000_000, "points": 50_000_000}
MAX_CYCLES_PER_SCHOOL = 2_000
MAX_WEEKS_PER_SERIES = 1_040  # 20 years of Mondays: more would reach back before nic's first year
# The big tables, whose foreign keys are checked once after the load rather than per row.
BULK_TABLES = (
    Cycle.__table__,
    CycleQuestion.__table__,
    CyclePhaseMove.__table__,
    CycleChange.__table__,
    MeasurePoint.__table__,
)


def check_sizes(slug: str, schools: int, cycles: int, points: int) -> str:
    errors = FieldErrors()
    slug = errors.check("network", clean_slug, slug)
    for name, value in (("schools", schools), ("cycles", cycles), ("points", points)):
        if not 1 <= value <= LIMITS[name]:
            errors.add(name, f"must be between 1 and {LIMITS[name]:,}")
    if "schools" not in errors.errors and "cycles" not in errors.errors and cycles > schools * MAX_CYCLES_PER_SCHOOL:
        errors.add("cycles", f"must be at most {MAX_CYCLES_PER_SCHOOL:,} per school")
    errors.raise_if_any()
    return slug


def seed(
    slug: str,
    schools: int,
    cycles: int,
    points: int,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
    progress=print,
) -> list[str]:
    """Add `schools` new schools with their people, `cycles` cycles and `points` measure
    points to the network `slug` (created with a theory of improvement and measures if
    missing) and commit; answer the summary lines."""
    started = time.perf_counter()
    slug = check_sizes(slug, schools, cycles, points)
    as_of = as_of or clock.today()
    run = _Run(Writer(db.session.connection()), slug, random.Random(seed), as_of, progress)
    try:
        run.network_id, created = ensure_network(run.writer, slug, run.now, run.password_hash)
        run.load_network()
        weeks = -(-points // (schools * len(run.measures)))
        if weeks > MAX_WEEKS_PER_SERIES:
            raise ValidationFailed(
                {
                    "points": f"must be at most {MAX_WEEKS_PER_SERIES * schools * len(run.measures):,} "
                    f"for {schools} school{'s' * (schools != 1)} and {len(run.measures)} "
                    f"weekly measures ({MAX_WEEKS_PER_SERIES:,} weeks each)"
                }
            )
        run.stage("network", (created and "created") or "existing")
        run.add_schools(schools)
        with run.writer.foreign_keys_set_aside(BULK_TABLES):
            run.add_cycles(cycles)
            run.add_engagement()
            run.add_points(points)
        if run.writer.keys_set_aside:
            run.stage("checks", f"{run.writer.keys_set_aside} foreign keys added back, checked")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if run.writer.postgres:  # fresh statistics, so the first roll-up after a seed gets sane plans
        db.session.execute(text("ANALYZE " + ", ".join(sorted(run.writer.counts))))
        db.session.commit()
    return run.summary(created, weeks, time.perf_counter() - started)


class _Run:
    def __init__(self, writer: Writer, slug: str, rng: random.Random, as_of: date, progress):
        self.writer, self.slug, self.rng, self.progress = writer, slug, rng, progress
        self.now = data.as_of_moment(as_of)
        self.monday = current_period("weekly", as_of)
        self.clock = time.perf_counter()
        self.password_hash = hash_password(BENCH_PASSWORD)  # once: argon2 is the slow part, on purpose
        self.network_id = 0
        self.ideas: list = []  # (id, title, status) of the network's change ideas
        self.measures: list = []  # (id, name, chart, direction) of its weekly measures
        self.facilitator: int | None = None
        self.schools: list[tuple[int, str]] = []  # (id, name)
        self.staff: dict[int, list[tuple[int, str, str]]] = {}  # school id -> [(user id, name, role)]
        self.teams: dict[int, int] = {}
        self.school_cycles: dict[int, list[tuple]] = {}  # school id -> [(cycle id, created_at, visible)]
        self.phases: Counter = Counter()
        self.stalled = 0

    def stage(self, name: str, detail: str) -> None:
        now = time.perf_counter()
        self.progress(f"  {name:<12} {detail:<44} {now - self.clock:6.1f} s")
        self.clock = now

    def load_network(self) -> None:
        conn, nid = self.writer.connection, self.network_id
        self.ideas = conn.execute(
            select(ChangeIdea.id, ChangeIdea.title, ChangeIdea.status)
            .where(ChangeIdea.network_id == nid)
            .order_by(ChangeIdea.id)
        ).all()
        self.measures = conn.execute(
            select(Measure.id, Measure.name, Measure.chart, Measure.direction)
            .where(Measure.network_id == nid, Measure.frequency == "weekly")
            .order_by(Measure.id)
        ).all()
        self.facilitator = conn.scalar(
            select(Membership.user_id)
            .where(Membership.network_id == nid, Membership.role == "facilitator")
            .order_by(Membership.id)
            .limit(1)
        )

    # --- schools, people, teams --------------------------------------------------------

    def add_schools(self, count: int) -> None:
        w, rng, nid = self.writer, self.rng, self.network_id
        taken = {name.lower() for name in w.connection.scalars(select(School.name).where(School.network_id == nid))}
        names, ordinal = [], len(taken)
        while len(names) < count:
            name = data.school_name(ordinal)
            ordinal += 1
            if name.lower() not in taken:
                taken.add(name.lower())
                names.append(name)
        ids = w.reserve_ids(School.__table__, count)
        self.schools = list(zip(ids, names))
        since = self.now - timedelta(days=300)
        grouped = "group_name" in School.__table__.c  # the dashboard's school groups, where the schema has them
        columns = ("id", "network_id", "name", "created_at") + (("group_name",) if grouped else ())
        w.write(
            School.__table__,
            columns,
            (
                (sid, nid, name, since) + ((data.GROUPS[i % len(data.GROUPS)],) if grouped else ())
                for i, (sid, name) in enumerate(self.schools)
            ),
        )

        people = [(sid, person) for sid, _ in self.schools for person in data.people(rng, self.slug, sid)]
        user_ids = w.reserve_ids(User.__table__, len(people))
        w.write(
            User.__table__,
            ("id", "email", "name", "password_hash", "created_at"),
            ((uid, email, name, self.password_hash, since) for uid, (_, (email, name, _role)) in zip(user_ids, people)),
        )
        w.write(
            Membership.__table__,
            ("network_id", "user_id", "school_id", "role", "created_at"),
            ((nid, uid, sid, role, since) for uid, (sid, (_, _, role)) in zip(user_ids, people)),
        )
        for uid, (sid, (_, name, role)) in zip(user_ids, people):
            self.staff.setdefault(sid, []).append((uid, name, role))

        team_ids = w.reserve_ids(Team.__table__, count)
        self.teams = {sid: tid for (sid, _), tid in zip(self.schools, team_ids)}
        w.write(
            Team.__table__,
            ("id", "network_id", "school_id", "name", "kind", "created_at"),
            ((tid, nid, sid, "9th grade team", "grade_level", since) for sid, tid in self.teams.items()),
        )
        w.write(
            team_members,
            ("team_id", "user_id"),
            ((self.teams[sid], uid) for sid, (uid, _, _) in ((s, p) for s, ps in self.staff.items() for p in ps)),
        )
        self.stage("schools", f"{count:,} schools, {len(people):,} people, {count:,} teams")

    # --- cycles ------------------------------------------------------------------------

    def add_cycles(self, total: int) -> None:
        w, rng, nid, now = self.writer, self.rng, self.network_id, self.now
        usable = [idea for idea in self.ideas if idea.status not in ("proposed", "declined")] or list(self.ideas)
        popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(usable))]  # a few ideas spread widely
        units = {idea.id: ("students", "classes", "teachers")[i % 3] for i, idea in enumerate(self.ideas)}
        per_school = data.split(total, [rng.uniform(0.3, 1.7) for _ in self.schools])
        specs = []
        for (sid, school_name), count in zip(self.schools, per_school):
            tried = {rng.choices(range(len(usable)), weights=popularity)[0] for _ in range(rng.randint(3, 8))}
            tried, staff = sorted(tried), self.staff[sid]
            owners = rng.choices(
                staff,
                weights=[3 if r == "teacher_leader" else 2 if r == "principal" else 1 for _, _, r in staff],
                k=count,
            )
            school_specs = []
            for owner in owners:
                phase, stalled, created, moves, changed = data.timeline(rng, now)
                measure = rng.choice(self.measures) if self.measures and rng.random() < 0.55 else None
                school_specs.append(
                    (
                        created,
                        phase,
                        stalled,
                        moves,
                        changed,
                        usable[rng.choice(tried)],
                        owner,
                        measure,
                        rng.random() < 0.8,
                        phase == "done" and data.decision(rng),
                    )
                )
            school_specs.sort(key=lambda spec: spec[0])  # ids grow with time; a ramp's parent comes first
            specs.extend((sid, school_name, spec) for spec in school_specs)
        ids = w.reserve_ids(Cycle.__table__, total)
        rows, questions, moves, changes = [], [], [], []
        chains: dict[tuple[int, int], tuple] = {}  # (school, idea) -> (cycle id, done at, decision, ramp)
        for cid, (sid, school_name, spec) in zip(ids, specs):
            created, phase, stalled, phase_moves, changed, idea, owner, measure, visible, decided = spec
            owner_id, owner_name, _ = owner
            previous = chains.get((sid, idea.id))
            parent, ramp = None, 0
            if previous and previous[2] in ("adopt", "adapt") and previous[1] <= created:
                parent, ramp = previous[0], previous[3] + 1
            chains[(sid, idea.id)] = (cid, phase_moves[-1][2] if decided else None, decided, ramp)
            reached = len(phase_moves)
            planned = created + timedelta(days=rng.randint(3, 14))  # a cycle still in plan names its start
            start = (phase_moves[0][2] if phase_moves else planned).date()
            end = start + timedelta(days=rng.choice((14, 21, 28)))
            unit = units[idea.id]
            outcome = data.OUTCOMES[decided] if decided else ("", "")
            rows.append(
                (
                    cid,
                    nid,
                    sid,
                    self.teams[sid],
                    owner_id,
                    idea.title + (f", ramp {ramp + 1}" if ramp else ""),
                    idea.id,
                    parent,
                    data.scale(rng, unit, ramp),
                    unit,
                    start,
                    end,
                    phase,
                    changed,
                    "network" if visible else "school",
                    f"Find out whether {idea.title[0].lower()}{idea.title[1:]} helps our 9th graders at this scale.",
                    f"{owner_name} with the 9th grade team",
                    "Run the routine as described in the change idea, each week.",
                    f"{start:%d %B} to {end:%d %B}",
                    school_name,
                    rng.choice(data.DATA),
                    measure.name if measure else "",
                    measure.id if measure else None,
                    (rng.random() < 0.75) if reached >= 2 else None,
                    rng.choice(data.OBSERVATIONS) if reached >= 2 else "",
                    rng.choice(data.PROBLEMS) if reached >= 2 else "",
                    rng.choice(data.LEARNED) if reached >= 3 else "",
                    decided or None,
                    outcome[0],
                    outcome[1],
                    1,
                    created,
                    changed,
                )
            )
            if rng.random() < 0.8:  # most cycles ask questions; a few forget the prediction
                predicted, answered = rng.random() < 0.8, reached >= 3 or (reached == 2 and rng.random() < 0.5)
                for position, (question, prediction) in enumerate(rng.sample(data.QUESTIONS, rng.randint(1, 2))):
                    questions.append(
                        (
                            nid,
                            cid,
                            position,
                            question,
                            prediction if predicted else "",
                            rng.choice(data.RESULTS) if answered else "",
                        )
                    )
            moves.extend((nid, cid, old, new, owner_id, at) for old, new, at in phase_moves)
            changes.append((nid, cid, owner_id, 1, "create", {}, created))
            self.school_cycles.setdefault(sid, []).append((cid, created, visible))
            self.phases[phase] += 1
            self.stalled += stalled
        w.write(Cycle.__table__, CYCLE_COLUMNS, rows)
        w.write(
            CycleQuestion.__table__,
            ("network_id", "cycle_id", "position", "question", "prediction", "result"),
            questions,
        )
        w.write(
            CyclePhaseMove.__table__,
            ("network_id", "cycle_id", "from_phase", "to_phase", "user_id", "created_at"),
            moves,
        )
        w.write(
            CycleChange.__table__,
            ("network_id", "cycle_id", "user_id", "version", "action", "fields", "created_at"),
            changes,
        )
        self.stage("cycles", f"{total:,} cycles, {len(moves):,} moves, {len(questions):,} questions")

    # --- engagement: messages and link artifacts ---------------------------------------

    def add_engagement(self) -> None:
        w, rng, nid, now = self.writer, self.rng, self.network_id, self.now
        conn = w.connection
        channel_id = conn.scalar(select(Channel.id).where(Channel.network_id == nid, Channel.name == "general"))
        if channel_id is None:
            channel_id = w.reserve_ids(Channel.__table__, 1)[0]
            w.write(
                Channel.__table__,
                ("id", "network_id", "name", "description", "roles", "created_by_id", "created_at"),
                [
                    (
                        channel_id,
                        nid,
                        "general",
                        "Anything for the whole network.",
                        "",
                        self.facilitator,
                        now - timedelta(days=300),
                    )
                ],
            )
        general = conn.scalar(
            select(Thread.id).where(
                Thread.network_id == nid, Thread.subject == "channel", Thread.subject_id == channel_id
            )
        )
        threads, messages = [], []  # messages: (created_at, thread key, author id, body)
        if general is None:
            threads.append(["channel", channel_id, "general", self.facilitator, now - timedelta(days=300), "general"])
        for sid, _ in self.schools:
            staff = self.staff[sid]
            for _ in range(rng.randint(1, 2)):
                messages.append((now - _seconds(rng, 280), "general", rng.choice(staff)[0], rng.choice(data.MESSAGES)))
            shared = [c for c in self.school_cycles.get(sid, []) if c[2]]
            if shared:
                cycle_id, created, _ = rng.choice(shared)
                opened = created + (now - created) * rng.random()
                threads.append(["cycle", cycle_id, "What did you change for the next ramp?", staff[0][0], opened, sid])
                for _ in range(rng.randint(2, 4)):
                    messages.append(
                        (opened + (now - opened) * rng.random(), sid, rng.choice(staff)[0], rng.choice(data.MESSAGES))
                    )
        thread_ids = dict(zip([t[5] for t in threads], w.reserve_ids(Thread.__table__, len(threads))))
        if general is not None:
            thread_ids["general"] = general
        messages.sort(key=lambda m: m[0])  # ids only grow, with time, as clients expect
        message_ids = w.reserve_ids(Message.__table__, len(messages))
        last = {}
        for mid, (_, key, _, _) in zip(message_ids, messages):
            last[key] = mid
        w.write(
            Thread.__table__,
            ("id", "network_id", "subject", "subject_id", "title", "created_by_id", "last_message_id", "created_at"),
            [(thread_ids[t[5]], nid, *t[:4], last.get(t[5]), t[4]) for t in threads],
        )
        w.write(
            Message.__table__,
            ("id", "network_id", "thread_id", "author_id", "body", "created_at"),
            (
                (mid, nid, thread_ids[key], author, body, at)
                for mid, (at, key, author, body) in zip(message_ids, messages)
            ),
        )
        if general is not None and "general" in last:
            conn.execute(Thread.__table__.update().where(Thread.id == general).values(last_message_id=last["general"]))

        artifacts = [
            (sid, title, kind)
            for sid, _ in self.schools
            for title, kind in rng.sample(data.ARTIFACTS, rng.randint(1, 2))
        ]
        artifact_ids = w.reserve_ids(Artifact.__table__, len(artifacts))
        rows, links = [], []
        for aid, (sid, title, kind) in zip(artifact_ids, artifacts):
            at = now - _seconds(rng, 280)
            rows.append(
                (
                    aid,
                    nid,
                    title,
                    "Shared from our cycles; adapt it to your school.",
                    kind,
                    "",
                    "9",
                    "",
                    sid,
                    rng.choice(self.staff[sid])[0],
                    "network",
                    f"https://docs.example.org/{self.slug}/{aid}",
                    "",
                    at,
                    at,
                )
            )
            if self.ideas:
                links.append((aid, rng.choice(self.ideas).id))
        w.write(
            Artifact.__table__,
            (
                "id",
                "network_id",
                "title",
                "description",
                "kind",
                "tags",
                "grade_band",
                "subject",
                "school_id",
                "author_id",
                "visibility",
                "url",
                "extracted_text",
                "created_at",
                "updated_at",
            ),
            rows,
        )
        w.write(artifact_change_ideas, ("artifact_id", "change_idea_id"), links)
        self.stage("engagement", f"{len(messages):,} messages, {len(artifacts):,} link artifacts")

    # --- measure points ----------------------------------------------------------------

    def add_points(self, total: int) -> None:
        rng, nid = self.rng, self.network_id
        lengths = data.series_lengths(total, len(self.schools) * len(self.measures))
        oldest = max(lengths) + 4  # series end up to four weeks before this one
        mondays = [self.monday - timedelta(weeks=oldest - 1 - i) for i in range(oldest)]
        entered = [min(self.now, data.as_of_moment(m + timedelta(days=4)).replace(hour=16)) for m in mondays]

        def rows():
            series = iter(lengths)
            for sid, _ in self.schools:
                size, principal = rng.randint(120, 480), self.staff[sid][0][0]
                for measure in self.measures:
                    length = next(series)
                    lag = 0 if rng.random() < 0.85 else rng.randint(1, 4)  # a few schools are behind
                    first = oldest - lag - length
                    values = data.series(rng, measure.chart, measure.direction == "up", length, size)
                    for index, (value, numerator, denominator) in enumerate(values, first):
                        yield (
                            nid,
                            measure.id,
                            sid,
                            mondays[index],
                            value,
                            numerator,
                            denominator,
                            entered[index],
                            principal,
                        )

        self.writer.write(
            MeasurePoint.__table__,
            (
                "network_id",
                "measure_id",
                "school_id",
                "period",
                "value",
                "numerator",
                "denominator",
                "updated_at",
                "updated_by_id",
            ),
            rows(),
        )
        self.stage("points", f"{total:,} points on {len(self.measures)} weekly measures")

    def summary(self, created: bool, weeks: int, elapsed: float) -> list[str]:
        counts = self.writer.counts
        first_school = self.schools[0][0]
        phases = ", ".join(f"{phase} {self.phases[phase]:,}" for phase in ("plan", "do", "study", "act", "done"))
        return [
            f"network {self.slug} (id {self.network_id}){' created' if created else ''}: "
            f"{counts['schools']:,} schools, {counts['users']:,} people",
            f"cycles {counts['cycles']:,} ({phases}; {self.stalled:,} stalled), "
            f"{counts['cycle_phase_moves']:,} phase moves, {counts['cycle_questions']:,} questions",
            f"points {counts['measure_points']:,} on {len(self.measures)} measures "
            f"(up to {weeks} weeks per school and measure)",
            f"messages {counts['messages']:,}, artifacts {counts['artifacts']:,}",
            f"sign in as principal.s{first_school}@{self.slug}.bench.nic (any bench login) with {BENCH_PASSWORD}",
            f"elapsed {elapsed:.1f} s",
        ]


def _seconds(rng: random.Random, days: float) -> timedelta:
    return timedelta(seconds=int(rng.random() * days * 86400))


CYCLE_COLUMNS = (
    "id",
    "network_id",
    "school_id",
    "team_id",
    "owner_id",
    "title",
    "change_idea_id",
    "parent_id",
    "scale_count",
    "scale_unit",
    "start_date",
    "end_date",
    "phase",
    "phase_changed_at",
    "visibility",
    "plan_objective",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "plan_data",
    "plan_measure",
    "measure_id",
    "do_as_planned",
    "do_observations",
    "do_problems",
    "study_learned",
    "act_decision",
    "act_reason",
    "act_next",
    "version",
    "created_at",
    "updated_at",
)
