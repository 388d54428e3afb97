"""What the demo's practice artifacts say: 26 protocols, agendas, tools and links the six
on-track schools share (nic/demo/artifacts.py turns them into files and rows).

Each entry: the school that shares it (index into demo.SCHOOLS), its kind, title,
description, tags, the change idea it serves, the other schools whose cycles borrowed it,
and either a `url` or a `file` (name, content) whose content is, by extension: PDF, a
list of blocks ("# " a heading, "- " a bullet, else a paragraph); Markdown, the text;
CSV, rows; PNG, a list of box labels. `v2` (note, more content) adds a second version.
PDF text stays in Latin-1: the PDFs use the core Helvetica font.
"""

from __future__ import annotations

HUDDLE = "Ninth-grade success team huddle"
GRADE_CHECK = "Friday grade check in advisory"
TWO_BY_TEN = "Two-by-ten relationship building"
CALL_HOME = "Same-day call home after a second absence"
CREDIT = "Credit recovery plan within two weeks"
TEXTS = "Translated weekly progress texts"
POSTCARD = "Positive postcard home in the first month"
DASHBOARD = "Early-warning dashboard review in PLCs"

ARTIFACTS = [
    # --- the success-team huddle ------------------------------------------------------------
    dict(
        school=0,
        kind="protocol",
        idea=HUDDLE,
        used_at=[2, 4],
        tags="huddle, grades, teacher teams",
        title="Ninth-grade success huddle protocol",
        description="How our 9th-grade teachers run the weekly fifteen-minute huddle: who brings what, "
        "how students are named and how follow-up is split.",
        file=(
            "success-huddle-protocol.pdf",
            [
                "# Ninth-grade success huddle",
                "Purpose: catch every 9th grader who is slipping below a C before the grading period closes, "
                "and make sure one adult follows up within two school days.",
                "# Before the huddle",
                "- Each teacher opens the gradebook and brings the names of up to four students below a C.",
                "- The facilitator prints the watch list from last week.",
                "# During the huddle (15 minutes)",
                "- Two minutes: check last week's follow-ups. Done, not done, what happened.",
                "- Eight minutes: round robin. Each teacher names students and the reason in one sentence.",
                "- Five minutes: assign one adult per student. Nobody leaves with more than three contacts.",
                "# After the huddle",
                "The facilitator updates the watch list the same afternoon. Contacts are logged with the date, "
                "so the team can see how many happened within two school days.",
            ],
        ),
        v2=(
            "Added a parking-lot column for students who need a counselor or a family meeting.",
            [
                "# Parking lot",
                "Some students need more than a teacher's check-in. Write them in the parking lot with the "
                "reason; the counselor takes the parking lot to the Thursday student support meeting.",
            ],
        ),
    ),
    dict(
        school=0,
        kind="meeting_agenda",
        idea=HUDDLE,
        tags="huddle, agenda",
        title="Weekly huddle agenda (15 minutes)",
        description="The one-page agenda we project during the huddle, with times for each part.",
        file=(
            "huddle-agenda.md",
            "# Success huddle: weekly agenda\n\n"
            "**Timekeeper** rotates each week. **Facilitator:** 9th-grade lead.\n\n"
            "1. Follow-ups from last week (2 min): green, yellow or red for each name.\n"
            "2. New names (8 min): each teacher, up to four students, one sentence each.\n"
            "3. Who contacts whom (5 min): one adult per student, by Wednesday.\n\n"
            "Norms: talk about what the student needs, not about the student's character. "
            "Start on time even if someone is missing.\n",
        ),
    ),
    dict(
        school=2,
        kind="data_tool",
        idea=HUDDLE,
        tags="huddle, watch list, template",
        title="Huddle student watch list template",
        description="A spreadsheet template for the students named at the huddle and what happened next.",
        file=(
            "huddle-watch-list.csv",
            [
                [
                    "week_of",
                    "student_id",
                    "course",
                    "current_grade",
                    "named_by",
                    "contact_adult",
                    "contact_date",
                    "outcome",
                ],
                [
                    "2026-09-14",
                    "S-1042",
                    "Algebra I",
                    "D",
                    "Ms. Raman",
                    "Mr. Bell",
                    "2026-09-15",
                    "Missing homework plan",
                ],
                [
                    "2026-09-14",
                    "S-1187",
                    "English 9",
                    "F",
                    "Mr. Cho",
                    "Ms. Raman",
                    "2026-09-16",
                    "Tutoring on Tuesdays",
                ],
                ["2026-09-21", "S-1042", "Algebra I", "C-", "Ms. Raman", "Mr. Bell", "2026-09-22", "Back above a C"],
            ],
        ),
    ),
    dict(
        school=4,
        kind="observation_tool",
        idea=HUDDLE,
        tags="huddle, fidelity, observation",
        title="Huddle fidelity checklist",
        description="A short checklist a coach fills in while sitting in on a huddle, to see which parts "
        "of the routine happen as designed.",
        file=(
            "huddle-fidelity-checklist.pdf",
            [
                "# Huddle fidelity checklist",
                "Observer fills in one sheet per huddle. Tick what you saw; write what got in the way.",
                "- Started within two minutes of the scheduled time.",
                "- Last week's follow-ups were reviewed name by name.",
                "- Every teacher present named at least one student, or said they had none.",
                "- Each named student left with exactly one adult responsible.",
                "- The watch list was updated before the end of the day.",
                "Notes on obstacles: schedule clashes, missing gradebook access, substitutes.",
            ],
        ),
    ),
    dict(
        school=4,
        kind="other",
        idea=HUDDLE,
        tags="huddle, whiteboard",
        title="Huddle board layout",
        description="A picture of how we lay out the huddle whiteboard in the 9th-grade office.",
        file=("huddle-board.png", ["Named this week", "Contact by Wednesday", "Followed up", "Parking lot"]),
    ),
    # --- the Friday grade check --------------------------------------------------------------
    dict(
        school=1,
        kind="protocol",
        idea=GRADE_CHECK,
        used_at=[3, 5],
        tags="advisory, grades, student agency",
        title="Friday advisory grade check routine",
        description="Step by step, the twenty minutes of advisory on Fridays when students look up their "
        "own grades and pick one thing to fix.",
        file=(
            "friday-grade-check.pdf",
            [
                "# Friday grade check",
                "Every Friday, advisory starts with twenty minutes on the student portal.",
                "- Students log in and copy their current grade in each core course onto their goal card.",
                "- Each student circles one missing or low assignment and writes when they will finish it.",
                "- The advisor walks the room and signs the cards of students with two or more Ds or Fs.",
                "- Cards stay in the advisory folder; next Friday starts by checking last week's promise.",
                "Tip: have paper grade printouts ready for students whose login does not work.",
            ],
        ),
        v2=(
            "Shortened to fifteen minutes and added a peer check.",
            [
                "# Peer check (new)",
                "Partners swap goal cards and ask one question: what will you do on Monday to finish it?",
            ],
        ),
    ),
    dict(
        school=1,
        kind="data_tool",
        idea=GRADE_CHECK,
        tags="advisory, log",
        title="Advisory grade-check log",
        description="One row per student per Friday: did they log in, what they chose to fix, and whether it "
        "was done a week later.",
        file=(
            "advisory-grade-check-log.csv",
            [
                [
                    "friday",
                    "advisory",
                    "student_id",
                    "logged_in",
                    "missing_assignments",
                    "chosen_task",
                    "done_next_week",
                ],
                ["2026-09-11", "A-12", "S-2210", "yes", "3", "Biology lab report", "yes"],
                ["2026-09-11", "A-12", "S-2291", "no", "", "", ""],
                ["2026-09-18", "A-12", "S-2210", "yes", "1", "Spanish vocabulary quiz retake", "no"],
            ],
        ),
    ),
    dict(
        school=3,
        kind="lesson_plan",
        idea=GRADE_CHECK,
        tags="advisory, lesson, gradebook",
        title="Advisory lesson: reading your own gradebook",
        description="A first-week advisory lesson that teaches students to read weighted categories and "
        "missing marks before the Friday routine starts.",
        file=(
            "reading-your-gradebook-lesson.pdf",
            [
                "# Lesson: reading your own gradebook",
                "Objective: students can find their grade in each course, explain what a weighted category is, "
                "and spot a missing assignment that drags the grade down.",
                "- Warm-up (5 min): guess which counts more, one test or five homework assignments?",
                "- Mini-lesson (10 min): walk through a sample student's portal page on the projector.",
                "- Practice (15 min): students find one category where a single missing mark costs a letter grade.",
                "- Exit ticket: write the one assignment you would fix first and why.",
            ],
        ),
    ),
    dict(
        school=5,
        kind="other",
        idea=GRADE_CHECK,
        tags="advisory, goals",
        title="Student goal card",
        description="The half-page card students keep in their advisory folder.",
        file=(
            "student-goal-card.md",
            "# My goal card\n\n"
            "Name: ______  Advisory: ______\n\n"
            "| Course | Grade today | One thing I will fix | By when |\n"
            "|---|---|---|---|\n| | | | |\n\n"
            "Signed by my advisor when I have two or more grades below a C: ______\n",
        ),
    ),
    # --- two by ten ---------------------------------------------------------------------------
    dict(
        school=0,
        kind="protocol",
        idea=TWO_BY_TEN,
        used_at=[3],
        tags="relationships, engagement",
        title="Two-by-ten conversation guide",
        description="Openers and ground rules for two minutes of talk a day, ten days running, with a "
        "student who has gone quiet.",
        file=(
            "two-by-ten-guide.pdf",
            [
                "# Two-by-ten conversation guide",
                "Pick one student who seems disengaged. For ten school days in a row, spend two minutes talking "
                "with them about anything except schoolwork.",
                "- Openers: What did you do this weekend? What music are you into right now? Who is your team?",
                "- Keep it short and friendly; do not turn it into a conference about grades.",
                "- Jot one line after each talk: what you learned about the student.",
                "After ten days, note any change in attendance, participation or how the student greets you.",
            ],
        ),
    ),
    dict(
        school=3,
        kind="observation_tool",
        idea=TWO_BY_TEN,
        tags="engagement, observation, look-fors",
        title="Engagement look-fors for focus students",
        description="What a colleague watches for when visiting a class to see whether focus students are "
        "taking part more.",
        file=(
            "engagement-look-fors.pdf",
            [
                "# Engagement look-fors",
                "Visit for twenty minutes. Watch the focus students only, and tally each behaviour you see.",
                "- Arrives on time and has materials out within three minutes.",
                "- Answers or asks at least one question aloud.",
                "- Works with a partner when asked, without redirection.",
                "- Greets the teacher or responds to a greeting.",
                "Share tallies with the teacher the same day; compare with the visit before the ten days.",
            ],
        ),
    ),
    dict(
        school=5,
        kind="data_tool",
        idea=TWO_BY_TEN,
        visibility="school",
        tags="relationships, tracker",
        title="Two-by-ten tracking sheet",
        description="Our teachers' shared sheet of focus students and the ten conversations.",
        file=(
            "two-by-ten-tracker.csv",
            [
                ["teacher", "student_id", "day", "date", "topic", "period_attendance_week"],
                ["Mr. Greene", "S-5120", "1", "2026-09-21", "Soccer tryouts", "4/5"],
                ["Mr. Greene", "S-5120", "2", "2026-09-22", "Older sister's new baby", "4/5"],
                ["Ms. Lin", "S-5177", "1", "2026-09-21", "Drawing comics", "3/5"],
            ],
        ),
    ),
    # --- same-day call home -------------------------------------------------------------------
    dict(
        school=2,
        kind="protocol",
        idea=CALL_HOME,
        used_at=[5, 1],
        tags="attendance, families, calls",
        title="Same-day attendance call script",
        description="What advisors say when they call home the day a student misses school for the "
        "second time in a month, and what to log.",
        file=(
            "attendance-call-script.pdf",
            [
                "# Same-day call after a second absence",
                "Call before 4 pm on the day of the second absence this month. If nobody answers, leave a short "
                "message and try once more before 6 pm.",
                "- Hello, this is [name], [student]'s advisor at Lincoln. We missed [student] today and wanted to "
                "check that everything is all right.",
                "- Ask: is there anything making it hard to get to school this week?",
                "- Offer one concrete help: a bus pass, a wake-up text, a meeting with the counselor.",
                "- Close: we are glad to have [student] with us and hope to see them tomorrow.",
                "Log the time, who you reached and the help offered.",
            ],
        ),
        v2=(
            "Added the Spanish version of the script.",
            [
                "# Guion en espanol",
                "Hola, habla [nombre], consejero de [estudiante] en Lincoln. Hoy no vimos a [estudiante] y "
                "queriamos saber si todo esta bien. Hay algo que le dificulte venir a la escuela esta semana?",
            ],
        ),
    ),
    dict(
        school=5,
        kind="data_tool",
        idea=CALL_HOME,
        tags="attendance, call log",
        title="Second-absence call log",
        description="The call log our advisors share, with the outcome of each call and the next two weeks "
        "of attendance.",
        file=(
            "second-absence-call-log.csv",
            [
                ["date", "student_id", "advisor", "call_time", "reached", "help_offered", "absences_next_two_weeks"],
                ["2026-09-24", "S-6031", "Ms. Silva", "14:10", "mother", "bus pass", "0"],
                ["2026-09-24", "S-6088", "Mr. Brennan", "15:45", "no answer, message left", "", "2"],
                ["2026-09-29", "S-6102", "Ms. Silva", "13:20", "grandfather", "wake-up text", "1"],
            ],
        ),
    ),
    dict(
        school=1,
        kind="meeting_agenda",
        idea=CALL_HOME,
        tags="attendance, team meeting",
        title="Attendance team weekly review agenda",
        description="Thirty minutes on Mondays: last week's calls, who needs a home visit, what we change.",
        file=(
            "attendance-team-agenda.md",
            "# Attendance team: Monday review\n\n"
            "- Calls made last week, and how many reached a family the same day.\n"
            "- Students with a third absence despite a call: decide on a home visit or a counselor referral.\n"
            "- One change to try this week (script, call times, who calls).\n\n"
            "Bring the call log, printed or on a laptop.\n",
        ),
    ),
    # --- credit recovery ----------------------------------------------------------------------
    dict(
        school=4,
        kind="protocol",
        idea=CREDIT,
        used_at=[1],
        tags="credit recovery, conferences",
        title="Credit recovery planning conference",
        description="A twenty-minute conference, within two weeks of a failing quarter grade, that ends "
        "with a written recovery plan the student agrees to.",
        file=(
            "credit-recovery-conference.pdf",
            [
                "# Credit recovery planning conference",
                "Who: the student, the course teacher and the counselor. When: within ten school days of the "
                "failing quarter grade.",
                "- Look together at the gradebook: which assignments and tests can still be made up or retaken?",
                "- Agree on no more than three tasks, each with a date.",
                "- Name a weekly check-in time with the course teacher.",
                "- The student writes the plan in their own words and everyone signs it.",
                "Send a copy home the same day, in the family's language.",
            ],
        ),
        v2=(
            "Added the follow-up check at four weeks.",
            [
                "# Four-week check",
                "The counselor meets the student again after four weeks: is the grade passing, what is left, "
                "does the plan need a new date?",
            ],
        ),
    ),
    dict(
        school=4,
        kind="other",
        idea=CREDIT,
        tags="credit recovery, form",
        title="Credit recovery plan form",
        description="The one-page form filled in at the planning conference.",
        file=(
            "credit-recovery-plan-form.pdf",
            [
                "# Credit recovery plan",
                "Student: ________  Course: ________  Quarter grade: ____",
                "- Task 1, due date, how I will show it is done.",
                "- Task 2, due date, how I will show it is done.",
                "- Task 3, due date, how I will show it is done.",
                "Weekly check-in with my teacher: day ______ time ______",
                "Signatures: student, teacher, counselor.",
            ],
        ),
    ),
    dict(
        school=2,
        kind="data_tool",
        idea=CREDIT,
        tags="credit recovery, tracker",
        title="Credit recovery progress tracker",
        description="Weekly course grades for students on a recovery plan, to see who is back to passing.",
        file=(
            "credit-recovery-tracker.csv",
            [
                ["student_id", "course", "plan_date", "week_1", "week_2", "week_3", "week_4", "passing_at_semester"],
                ["S-3310", "Geometry", "2026-11-02", "48", "55", "61", "66", ""],
                ["S-3377", "World History", "2026-11-03", "52", "58", "58", "63", ""],
            ],
        ),
    ),
    # --- families ------------------------------------------------------------------------------
    dict(
        school=5,
        kind="other",
        idea=TEXTS,
        tags="families, texts, languages",
        title="Weekly progress text templates",
        description="Short weekly texts to families, in English, Spanish and Vietnamese: one thing going "
        "well, one thing to watch.",
        file=(
            "progress-text-templates.md",
            "# Weekly progress texts\n\n"
            "Keep every text under 300 characters. Always one good thing first.\n\n"
            "**English:** Hi, this is [teacher] from Chavez. This week [student] did well in [class]. "
            "One thing to watch: [task]. Reply any time.\n\n"
            "**Espanol:** Hola, soy [maestro] de Chavez. Esta semana a [estudiante] le fue bien en [clase]. "
            "Algo para revisar: [tarea]. Puede responder cuando quiera.\n\n"
            "**Tieng Viet:** Xin chao, toi la [giao vien] truong Chavez. Tuan nay [hoc sinh] hoc tot mon "
            "[lop]. Dieu can chu y: [bai tap].\n",
        ),
    ),
    dict(
        school=3,
        kind="other",
        idea=POSTCARD,
        visibility="school",
        tags="families, postcards",
        title="Postcard wording ideas",
        description="Sentences teachers borrowed for their first-month postcards.",
        file=(
            "postcard-wording.md",
            "# Postcard wording ideas\n\n"
            "- I noticed how carefully you explained your answer in class on Tuesday.\n"
            "- Thank you for helping a classmate find the page without being asked.\n"
            "- Your lab notebook is one of the neatest I have seen this year.\n\n"
            "Write the student's name and one specific moment. Mail them in the first four weeks.\n",
        ),
    ),
    dict(
        school=2,
        kind="lesson_plan",
        idea=POSTCARD,
        tags="families, staff meeting",
        title="Writing a positive postcard: staff mini-session",
        description="A ten-minute session for a staff meeting where every teacher writes two postcards.",
        file=(
            "postcard-mini-session.pdf",
            [
                "# Positive postcards: a ten-minute staff session",
                "Materials: blank postcards with stamps, the class lists, a few examples on the projector.",
                "- Two minutes: why postcards in the first month, and what families told us about them.",
                "- Six minutes: each teacher writes two postcards about a specific moment they saw.",
                "- Two minutes: drop them in the box at the door; the office mails them the same day.",
            ],
        ),
    ),
    # --- early-warning dashboard ----------------------------------------------------------------
    dict(
        school=4,
        kind="protocol",
        idea=DASHBOARD,
        used_at=[1, 0],
        tags="early warning, data, PLC",
        title="Early-warning dashboard PLC protocol",
        description="Ten minutes at the start of each PLC meeting on the early-warning dashboard, ending with "
        "named next steps.",
        file=(
            "early-warning-plc-protocol.pdf",
            [
                "# Early-warning dashboard: the first ten minutes of PLC",
                "The dashboard flags 9th graders off track on attendance, course grades or behaviour.",
                "- Three minutes: look at the flagged list silently. Circle the students you teach.",
                "- Five minutes: for each circled student, one person says what they know.",
                "- Two minutes: write next steps with a name and a date in the tracker.",
                "Rule: no next step without an owner. The PLC lead reads last week's steps first.",
            ],
        ),
        v2=(
            "Added the colour key used on our dashboard export.",
            [
                "# Colour key",
                "Red: two or more flags. Amber: one flag. Green: no flags but a grade dropped a letter this week.",
            ],
        ),
    ),
    dict(
        school=1,
        kind="meeting_agenda",
        idea=DASHBOARD,
        tags="PLC, agenda, data",
        title="PLC agenda with a data opener",
        description="Our PLC agenda template with the dashboard opener built in.",
        file=(
            "plc-agenda.md",
            "# PLC agenda\n\n"
            "1. Data opener (10 min): early-warning dashboard, next steps with owners.\n"
            "2. Last week's next steps (5 min).\n"
            "3. Instruction (30 min): common assessment or lesson study.\n"
            "4. Wrap-up (5 min): who tells the huddle about which students.\n",
        ),
    ),
    # --- links -------------------------------------------------------------------------------------
    dict(
        school=0,
        kind="other",
        idea=DASHBOARD,
        tags="research, on-track",
        title="Research on the ninth-grade on-track indicator",
        description="The research group whose studies of Chicago high schools showed how strongly being on "
        "track at the end of 9th grade predicts graduation.",
        url="https://consortium.uchicago.edu/",
    ),
    dict(
        school=3,
        kind="other",
        idea=CALL_HOME,
        tags="attendance, research",
        title="Attendance Works: chronic absence resources",
        description="A national initiative's materials on chronic absence, including ideas for early, "
        "positive outreach to families.",
        url="https://www.attendanceworks.org/",
    ),
    dict(
        school=1,
        kind="other",
        idea=None,
        tags="improvement science, PDSA",
        title="Carnegie Foundation: improvement science in education",
        description="Background reading on networked improvement communities and PDSA cycles for new "
        "members of our teams.",
        url="https://www.carnegiefoundation.org/",
    ),
]
