"""Recruit refreshers: the question bank, rounds, spaced repetition, progress, cohorts."""
