"""Scoring: Fellegi-Sunter weights learned without labels, with term-frequency adjustment.

``frequencies`` counts how common each name and date is among travellers, ``em`` learns
m and u, ``model`` holds and saves the parameters, ``apply`` turns comparison vectors into
match weights and probabilities.
"""
