"""What the window's status bar says: the model's state, the guidance in force and its age, the network."""

from __future__ import annotations

from datetime import datetime, timezone

from knowledge.passage import BundleInfo
from knowledge.sample_guidance import SAMPLE_ID


def model_status(name: str, ready: bool, loading: bool) -> str:
    if ready:
        return f"Model: {name} ready"
    if loading:
        return f"Model: {name} loading… (drafts use the guidance's sentences until it is ready)"
    return "Model: not available, drafts use the guidance's sentences"


def guidance_status(info: BundleInfo) -> str:
    label = f"{info.title} (unsigned sample)" if not info.signed and info.id == SAMPLE_ID else info.title
    return f"Guidance: {label} v{info.version} ({age_in_words(info.created_at)})"


def network_status() -> str:
    return "Online: nothing is sent" if online() else "Offline"


def history_note(history, days: int) -> str:
    """What the History tab says history keeps, and for how long (app.history.HistoryStore's policy)."""
    if not history.keep:
        return "The policy keeps no history on this computer."
    what = ("Questions and drafts are kept as typed, personal data included (your organisation's policy)"
            if history.keep_personal_data else
            "Questions and drafts are kept with personal data (NI numbers, phone numbers, emails, postcodes) removed")
    return f"{what}, for {days} days."


def age_in_words(created_at: str) -> str:
    try:
        created = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    days = (datetime.now(timezone.utc) - created).days
    return "built today" if days < 1 else f"{days} day{'s' if days != 1 else ''} old"


def online() -> bool:
    """Whether a network interface is up (looked up locally: Frontdesk never contacts anything to find out)."""
    try:
        import psutil

        stats = psutil.net_if_stats()
        return any(s.isup for name, s in stats.items() if name != "lo" and not name.startswith(("docker", "veth")))
    except Exception:
        return False
