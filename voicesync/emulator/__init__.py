"""A faithful stand-in for the voice.ai voice-management API, for tests, demos and benchmarks.

It imports nothing from the rest of voicesync, so a misunderstanding of the API cannot hide by
being made twice, once in the client and once here.
"""

from voicesync.emulator.faults import FaultConfig
from voicesync.emulator.server import Dialect, Emulator, EmulatorConfig, account_of
from voicesync.emulator.voices import Timing

__all__ = ["Dialect", "Emulator", "EmulatorConfig", "FaultConfig", "Timing", "account_of"]
