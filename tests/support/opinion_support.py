"""Consultation data for the opinion tests: responses for and against a proposal, a
campaign letter, a CSV of them, a scripted model that answers like the embedded one, and
a tiny sentiment model over the hashing embedder's vectors."""

from __future__ import annotations

from typing import Any

from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.capabilities.opinion.sentiment import SentimentModel, train

QUESTION = "Should the harbourfront promenade open all night?"

SUPPORT = [
    "Yes, open it all night. Night shift workers need somewhere to walk after work.",
    "I support it. Families in Sai Ying Pun have no other open space in the evening.",
    "支持全晚開放，夜更工人收工都想有地方散步。",
    "Open it all night please, runners like me train after eleven.",
    "Support. More open space at night keeps the district lively and safe.",
    "支持，晚上有更多人流反而更安全。",
]
OPPOSE = [
    "No. Noise at night will keep the residents of the towers awake.",
    "I oppose this, drinking and noise after midnight will disturb us.",
    "反對，半夜嘈吵會影響附近居民休息。",
    "Oppose: cleaning and security at night will cost too much public money.",
    "No, the cost of night patrols is a waste of taxes.",
    "反對，浪費公帑請保安通宵巡邏。",
]
CAMPAIGN = (
    "Dear Sir, as residents of Kennedy Town we oppose opening the promenade all night "
    "because of noise, litter and the cost of security patrols. Regards"
)


def reply(messages: Any) -> str:
    """Stance from the response's words; a name for a theme from its first sentence."""
    last = messages[-1].content
    if last.startswith("Question:"):
        return "The promenade should open all night."
    if last.startswith("Proposal:") and "Response:" in last:
        response = last.split("Response:", 1)[1]
        if "FAIL" in response:
            raise RuntimeError("the model crashed")
        words = response.lower()
        if any(w in words for w in ("oppose", "no.", "no,", "反對", "noise")):
            return "no"
        if any(w in words for w in ("support", "yes", "支持", "please")):
            return "yes"
        return "unclear"
    first = last.split("- ", 1)[1].split(".")[0][:40] if "- " in last else "Views"
    return f"title: {first}\ndescription: They say {first}.\n標題: 主題\n描述: 描述。"


def csv_of(rows: list[dict[str, str]]) -> bytes:
    header = list(rows[0])
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join('"' + row[k].replace('"', '""') + '"' for k in header))
    return ("\n".join(lines) + "\n").encode("utf-8")


def consultation_csv(question: str = QUESTION, campaign: int = 6, extra: str = "") -> bytes:
    rows = []
    for i, text in enumerate(SUPPORT + OPPOSE):
        district = "Central and Western" if i % 2 else "Southern"
        rows.append(
            {
                "id": f"R{i}",
                "text": text,
                "question": question,
                "district": district,
                "respondent_type": "individual",
                "date": f"2026-0{1 + i % 3}-15",
            }
        )
    for i in range(campaign):
        rows.append(
            {
                "id": f"C{i}",
                "text": CAMPAIGN.replace("Regards", f"Regards, Person {i}"),
                "question": question,
                "district": "Central and Western",
                "respondent_type": "individual",
                "date": "2026-02-01",
            }
        )
    if extra:
        rows.append(
            {
                "id": "X1",
                "text": extra,
                "question": question,
                "district": "",
                "respondent_type": "",
                "date": "",
            }
        )
    return csv_of(rows)


def tiny_sentiment(embedder: HashingEmbedder) -> SentimentModel:
    """A sentiment model fitted to six words (vectors of the embedder's size)."""
    texts = ["great, love it", "ok, fine", "terrible, awful"] * 2
    labels = ["positive", "neutral", "negative"] * 2
    return train(texts, embedder.embed_passages(texts), labels, steps=50)
