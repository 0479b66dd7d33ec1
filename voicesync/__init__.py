"""voicesync: manage voice.ai cloned voices as code."""

__version__ = "0.1.0"
