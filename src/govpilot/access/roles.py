"""Roles and what each may do: the one table that authorisation reads.

    platform admin    everything, in every department
    department admin  its department's users, keys, settings, collections, bots and AI
                      register (assessments, reviews, incidents); the copilot
    officer           the copilot, search and bots of its department; its own jobs and keys;
                      reads the AI register, reports incidents, reviews where assigned
    auditor           reads the audit log, usage and AI register of every department;
                      starts nothing
    public            members of the public talking to a department's bot (no account)

Department scoping is separate (see `authz.authorize`): only the platform admin and the
auditor reach beyond their own department, the auditor only to read.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role; stored by value."""

    PLATFORM_ADMIN = "platform_admin"
    DEPARTMENT_ADMIN = "department_admin"
    OFFICER = "officer"
    AUDITOR = "auditor"
    PUBLIC = "public"


class Permission(StrEnum):
    """One thing a role may do."""

    USE_COPILOT = "use_copilot"  # translate, summarise, draft, redact; start jobs
    ASK_BOTS = "ask_bots"
    SEARCH_KNOWLEDGE = "search_knowledge"
    MANAGE_KNOWLEDGE = "manage_knowledge"  # collections, ingest, bots
    VIEW_ANALYTICS = "view_analytics"  # bot analytics and exports
    MANAGE_USERS = "manage_users"  # users and their keys, in the department
    MANAGE_DEPARTMENT = "manage_department"  # the department's settings and allowed models
    MANAGE_DEPARTMENTS = "manage_departments"  # create departments
    READ_AUDIT = "read_audit"  # audit log, chain verification, usage
    MANAGE_PRIVACY = "manage_privacy"  # purge, data access, erasure and correction requests
    READ_GOVERNANCE = "read_governance"  # the AI register, assessments, evidence, incidents
    MANAGE_GOVERNANCE = "manage_governance"  # register entries, assessments, sign-off
    REVIEW_OUTPUTS = "review_outputs"  # human review queues (officers: when assigned)
    REPORT_INCIDENT = "report_incident"  # report an incident against an AI application


_STAFF = {
    Permission.USE_COPILOT,
    Permission.ASK_BOTS,
    Permission.SEARCH_KNOWLEDGE,
    Permission.READ_GOVERNANCE,
    Permission.REVIEW_OUTPUTS,
    Permission.REPORT_INCIDENT,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: frozenset(Permission),
    Role.DEPARTMENT_ADMIN: frozenset(
        _STAFF
        | {
            Permission.MANAGE_KNOWLEDGE,
            Permission.VIEW_ANALYTICS,
            Permission.MANAGE_USERS,
            Permission.MANAGE_DEPARTMENT,
            Permission.MANAGE_PRIVACY,
            Permission.MANAGE_GOVERNANCE,
        }
    ),
    Role.OFFICER: frozenset(_STAFF),
    Role.AUDITOR: frozenset(
        {Permission.READ_AUDIT, Permission.VIEW_ANALYTICS, Permission.READ_GOVERNANCE}
    ),
    Role.PUBLIC: frozenset({Permission.ASK_BOTS}),
}

#: Roles whose reach is every department (the auditor's only for reading).
CROSS_DEPARTMENT: frozenset[Role] = frozenset({Role.PLATFORM_ADMIN, Role.AUDITOR})

#: Roles a department admin may give; the others only a platform admin may.
DEPARTMENT_GRANTABLE: frozenset[Role] = frozenset({Role.DEPARTMENT_ADMIN, Role.OFFICER})

#: Roles a user account may have (public is for callers without one).
ACCOUNT_ROLES: tuple[Role, ...] = (
    Role.PLATFORM_ADMIN,
    Role.DEPARTMENT_ADMIN,
    Role.OFFICER,
    Role.AUDITOR,
)


def permissions_of(role: Role | str) -> frozenset[Permission]:
    """What `role` may do (nothing for an unknown role)."""
    try:
        return ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()
