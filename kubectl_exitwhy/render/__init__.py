"""Renderers: pure functions from diagnoses to text. They lay out; they never decide.

``style`` (the clock, width, colour), ``table``, ``detail``, ``structured`` (JSON, YAML) and
``code`` (one exit code). Kept empty so that ``code`` loads nothing it does not need.
"""
