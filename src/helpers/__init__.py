"""Helpers for the multi-agency audit of child protection conferences.

Logic lives here as small, named, tested functions; the notebooks in
``notebooks/`` are the narrative that calls them.
"""
