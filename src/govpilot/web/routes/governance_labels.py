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
#: Every table above, by the name templates use for it.
LABELS = {
    "kind": KIND_LABELS,
    "oversight": OVERSIGHT_LABELS,
    "stage": STAGE_LABELS,
    "affected": AFFECTED_LABELS,
    "risk": RISK_LABELS,
    "status": STATUS_LABELS,
}
