"""voicesync: manage voice.ai cloned voices as code.

The public library API; the CLI is a thin layer over it.
"""

__version__ = "0.2.0"

from voicesync.client import ReadOnlyClient, RetryPolicy, VoiceAIClient
from voicesync.config import load_config
from voicesync.executor import ApplyOptions, apply_plan
from voicesync.journal import Journal
from voicesync.plan import Plan
from voicesync.planner import PlanOptions, build_plan
from voicesync.settings import Connection
from voicesync.workflow import apply_catalog, make_plan

__all__ = [
    "ApplyOptions",
    "Connection",
    "Journal",
    "Plan",
    "PlanOptions",
    "ReadOnlyClient",
    "RetryPolicy",
    "VoiceAIClient",
    "__version__",
    "apply_catalog",
    "apply_plan",
    "build_plan",
    "load_config",
    "make_plan",
]
