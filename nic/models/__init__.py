"""All models, imported here so metadata (and Alembic's autogenerate) sees them."""
from nic.models.base import TenantMixin
from nic.models.mail import OutboxMessage
from nic.models.membership import ROLE_LABELS, ROLES, Invitation, Membership
from nic.models.network import Network, School
from nic.models.user import ApiToken, PasswordReset, User
from nic.models.theory import CHANGE_IDEA_STATUSES, DRIVER_KINDS, Aim, ChangeIdea, DiagramRevision, Driver
from nic.models.team import TEAM_KIND_LABELS, TEAM_KINDS, Team
from nic.models.discussion import (
    NOTIFICATION_KINDS, THREAD_SUBJECTS, Channel, Message, Notification, Reaction, Thread, ThreadRead,
)
from nic.models.artifact import (
    ARTIFACT_KIND_LABELS, ARTIFACT_KINDS, PROCESSING_STATES, Artifact, ArtifactCycleLink, ArtifactVersion,
)
from nic.models.measure import (
    CHART_TYPES, DIRECTIONS, FREQUENCIES, MEASURE_KINDS, POINT_SOURCES, ChartSplit, Measure, MeasurePoint, PointChange,
)
from nic.models.rollup import (
    PERIOD_KINDS, ROLLUP_JOB_STATES, ROLLUP_SCOPES, RollupActiveMember, RollupChangeIdeaSchool, RollupJob, RollupMeasure,
    RollupMeasurePeriod, RollupMeasureSchool, RollupNetworkPeriod, RollupSchool, RollupSchoolPeriod,
    RollupStalledCycle, RollupState,
)
from nic.models.assessment import (
    EVIDENCE_KINDS, FRAMEWORK_ORIGINS, ROUND_CLOSE_STATES, AssessmentConsensus, AssessmentRating, AssessmentRound,
    AssessmentRoundSchool, ConsensusEvidence, Framework, FrameworkPractice, RollupAssessmentPractice,
    RollupAssessmentSchool,
)
from nic.models.cycle import (
    DECISIONS, PHASES, SCALE_UNITS, VISIBILITIES, Cycle, CycleChange, CyclePhaseMove, CycleQuestion,
)

__all__ = [
    "EVIDENCE_KINDS", "FRAMEWORK_ORIGINS", "ROUND_CLOSE_STATES", "AssessmentConsensus", "AssessmentRating",
    "AssessmentRound", "AssessmentRoundSchool", "ConsensusEvidence", "Framework", "FrameworkPractice",
    "RollupAssessmentPractice", "RollupAssessmentSchool",
    "PERIOD_KINDS", "ROLLUP_JOB_STATES", "ROLLUP_SCOPES", "RollupActiveMember", "RollupChangeIdeaSchool", "RollupJob", "RollupMeasure",
    "RollupMeasurePeriod", "RollupMeasureSchool", "RollupNetworkPeriod", "RollupSchool", "RollupSchoolPeriod",
    "RollupStalledCycle", "RollupState",
    "NOTIFICATION_KINDS", "THREAD_SUBJECTS", "Channel", "Message", "Notification", "Reaction", "Thread",
    "ThreadRead",
    "ARTIFACT_KINDS", "ARTIFACT_KIND_LABELS", "Artifact", "ArtifactCycleLink", "ArtifactVersion", "PROCESSING_STATES",
    "CHART_TYPES", "ChartSplit", "DIRECTIONS", "FREQUENCIES", "MEASURE_KINDS", "Measure", "MeasurePoint",
    "POINT_SOURCES", "PointChange",
    "Aim", "CHANGE_IDEA_STATUSES", "ChangeIdea", "Cycle", "CycleChange", "CyclePhaseMove", "CycleQuestion",
    "DECISIONS", "DRIVER_KINDS", "DiagramRevision", "Driver", "PHASES", "SCALE_UNITS", "TEAM_KINDS",
    "TEAM_KIND_LABELS", "Team", "VISIBILITIES",
    "ApiToken", "Invitation", "Membership", "Network", "OutboxMessage", "PasswordReset",
    "ROLES", "ROLE_LABELS", "School", "TenantMixin", "User",
]
