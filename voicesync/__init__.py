"""voicesync: manage voice.ai cloned voices as code.

The public library API; the CLI is a thin layer over it. Names are imported on first use, so
``import voicesync`` (and ``voicesync --version``) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS = {
    "ApplyOptions": "voicesync.apply.executor",
    "Connection": "voicesync.api.settings",
    "Plan": "voicesync.plan.changes",
    "PlanOptions": "voicesync.plan.changes",
    "ReadOnlyClient": "voicesync.api.client",
    "RetryPolicy": "voicesync.api.retry",
    "StateWriter": "voicesync.state.writer",
    "Target": "voicesync.workspace",
    "VoiceAIClient": "voicesync.api.client",
    "Workspace": "voicesync.workspace",
    "apply_plan": "voicesync.apply.executor",
    "build_plan": "voicesync.plan.planner",
    "load_config": "voicesync.catalog.loader",
}
_MODULES = {"pipeline"}  # the use cases: pipeline.plan, .apply, .apply_saved, .destroy

__all__ = [
    "ApplyOptions",
    "Connection",
    "Plan",
    "PlanOptions",
    "ReadOnlyClient",
    "RetryPolicy",
    "StateWriter",
    "Target",
    "VoiceAIClient",
    "Workspace",
    "__version__",
    "apply_plan",
    "build_plan",
    "load_config",
    "pipeline",
]

if TYPE_CHECKING:
    from voicesync import pipeline
    from voicesync.api.client import ReadOnlyClient, VoiceAIClient
    from voicesync.api.retry import RetryPolicy
    from voicesync.api.settings import Connection
    from voicesync.apply.executor import ApplyOptions, apply_plan
    from voicesync.catalog.loader import load_config
    from voicesync.plan.changes import Plan, PlanOptions
    from voicesync.plan.planner import build_plan
    from voicesync.state.writer import StateWriter
    from voicesync.workspace import Target, Workspace


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"voicesync.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'voicesync' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
