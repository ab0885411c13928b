"""The jobs the scheduler knows by name, and finding the function behind one."""

import re
from importlib import import_module

# Each job takes no arguments, runs in the app context with a connection open, and may
# return a short summary, kept as its run's message.
JOBS = {
    "recalls": "importers.jobs:recalls",
    "cosmetic_events": "importers.jobs:cosmetic_events",
    "rosters": "importers.jobs:rosters",
    "reminders": "registry.services.reminders:send_due",
    "audit_checkpoint": "registry.services.checkpoints:scheduled",
}
DOTTED = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def job_target(name: str) -> str:
    """The module:function a job's name stands for; such a path stands for itself."""
    if name in JOBS:
        return JOBS[name]
    if DOTTED.fullmatch(name):
        return name
    raise ValueError(f"unknown job {name!r}; known jobs are {', '.join(JOBS)} "
                     "(or a module:function path)")


def resolve(target: str):
    """The function at module:function, imported when its job runs so a broken one fails
    alone."""
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)
