"""A checklist as plain text, for the terminal."""

from registry.rules.engine import Checklist

MARKS = {"pass": "PASS", "fail": "FAIL", "warning": "WARN", "not_applicable": "n/a ",
         "needs_evidence": "EVID"}


def render_text(checklist: Checklist, problems_only: bool = False) -> str:
    counts = checklist.counts()
    lines = [
        f"{checklist.clinic.name} ({checklist.clinic.state}) as of {checklist.as_of.isoformat()}"
        f": {checklist.overall.upper()}",
        "  " + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items()),
        "  packs: " + ", ".join(f"{p.jurisdiction} {p.version}" for p in checklist.packs),
        "",
    ]
    for item in checklist.items:
        if problems_only and item.status in ("pass", "not_applicable"):
            continue
        requirement = item.requirement
        cites = "; ".join(c.code for c in requirement.citations)
        lines.append(f"[{MARKS[item.status]}] {requirement.id} - {item.subject_label}")
        lines.append(f"       {item.outcome.explanation}")
        lines.append(f"       {cites} ({requirement.confidence})")
        if item.status not in ("pass", "not_applicable"):
            lines.append(f"       fix: {item.fix}")
    return "\n".join(lines)
