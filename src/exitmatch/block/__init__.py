"""Blocking: which (case, record) pairs are worth comparing at all.

Several passes, each a hash join on an integer key, so that a person is found whether the
date of birth, the document or the name is the part recorded well. Each candidate pair
comes out once, with the passes that found it.
"""
