"""How the register's coded values are named on the governance and transparency pages."""

from __future__ import annotations

from govpilot.web.i18n import N_

KIND_LABELS = {
    "bot": N_("Bot"),
    "copilot": N_("Copilot"),
    "model_access": N_("Model access"),
    "minutes": N_("Meeting minutes"),
    "opinion": N_("Opinion analysis"),
    "cases": N_("Case desk"),
    "external": N_("External system"),
}
OVERSIGHT_LABELS = {
    "in_the_loop": N_("Human in the loop"),
    "on_the_loop": N_("Human on the loop"),
    "out_of_the_loop": N_("Human out of the loop"),
}
STAGE_LABELS = {
    "planning": N_("Planning"),
    "development": N_("Development"),
    "deployment": N_("Deployment"),
    "post_implementation_review": N_("Post-implementation review"),
    "retired": N_("Retired"),
}
AFFECTED_LABELS = {
    "officers": N_("Officers"),
    "public": N_("The public"),
    "both": N_("Officers and the public"),
}
RISK_LABELS = {
    "unassessed": N_("Not yet assessed"),
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "very_high": N_("Very high"),
}
STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "signed_off": N_("Signed off"),
}
REASON_LABELS = {
    "sampled": N_("Sampled"),
    "flagged": N_("Flagged by the bot's checks"),
    "rated_down": N_("Rated thumbs-down"),
    "approval": N_("Waiting for approval"),
}
VERDICT_LABELS = {
    "pending": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "corrected": N_("Corrected"),
}
INCIDENT_LABELS = {
    "wrong_answer": N_("Wrong answer"),
    "data_leak": N_("Personal data leak"),
    "bias": N_("Bias or unfair treatment"),
    "security": N_("Security"),
    "other": N_("Other"),
}
INCIDENT_STATUS_LABELS = {
    "open": N_("Open"),
    "investigating": N_("Being investigated"),
    "resolved": N_("Resolved"),
}
#: Every table above, by the name templates use for it.
LABELS = {
    "kind": KIND_LABELS,
    "oversight": OVERSIGHT_LABELS,
    "stage": STAGE_LABELS,
    "affected": AFFECTED_LABELS,
    "risk": RISK_LABELS,
    "status": STATUS_LABELS,
    "reason": REASON_LABELS,
    "verdict": VERDICT_LABELS,
    "incident": INCIDENT_LABELS,
    "incident_status": INCIDENT_STATUS_LABELS,
}
