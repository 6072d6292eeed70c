"""Scoring: Fellegi-Sunter weights learned without labels, with term-frequency adjustment.

``frequencies`` counts how common each name and date is among travellers, ``em`` learns
m and u (``train`` on a night), ``model`` holds and saves the parameters, and ``stored``
trains on and weighs the comparisons where the store keeps them, into match weights and
probabilities.
"""
