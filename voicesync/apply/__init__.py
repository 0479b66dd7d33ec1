"""Carrying out a plan: start each change, wait for clones, record every step, report events."""
