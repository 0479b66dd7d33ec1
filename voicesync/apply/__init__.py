"""Carrying out a plan: start each change, wait for clones, journal every step, report events."""
