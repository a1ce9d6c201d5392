"""The words the case desk's pages show for its codes (translated in the page)."""

from __future__ import annotations

from govpilot.web.i18n import N_

QUEUE_LABELS = {
    "department": N_("My department's queue"),
    "mine": N_("Assigned to me"),
    "triage": N_("Triage: department not decided"),
    "overdue": N_("Overdue"),
    "open": N_("All open"),
    "closed": N_("Closed"),
}
STATUS_LABELS = {
    "triage": N_("Waiting for triage"),
    "open": N_("Open"),
    "replied": N_("Replied"),
    "closed": N_("Closed"),
}
PUBLIC_STATUS_LABELS = {
    "triage": N_("Received: finding the department that handles it"),
    "open": N_("Being handled"),
    "replied": N_("Replied"),
    "closed": N_("Closed"),
}
URGENCY_LABELS = {"urgent": N_("Urgent"), "normal": N_("Normal"), "low": N_("Low")}
CHANNEL_LABELS = {
    "web_form": N_("Web form"),
    "email": N_("E-mail"),
    "api": N_("API"),
    "phone": N_("Phone"),
    "social_media": N_("Social media"),
}
EVENT_LABELS = {
    "received": N_("Received"),
    "routed": N_("Routed"),
    "transfer": N_("Transferred"),
    "assign": N_("Assigned"),
    "note": N_("Note"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "drafted": N_("Reply drafted"),
    "approved": N_("Reply approved"),
}
REPLY_LABELS = {
    "acknowledgement": N_("Acknowledgement"),
    "interim": N_("Interim reply"),
    "final": N_("Final reply"),
    "draft": N_("Draft: not seen by the citizen"),
    "approved": N_("Approved: on the status page"),
    "sent": N_("Sent by e-mail"),
    "failed": N_("E-mail failed: on the status page"),
}
NOTICES = {
    "received": N_("The case is stored and triaged."),
    "saved": N_("The change is saved."),
    "routed": N_("The case is in the department's queue."),
    "closed": N_("The case is closed."),
    "drafted": N_("A draft is ready below. Check it before you approve it."),
    "approved": N_("The reply is approved: the citizen can see it."),
    "sent": N_("The reply is sent."),
}
