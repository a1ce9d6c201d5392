"""Opinion analysis for consultations and social media (issue 16), stage by stage.

Each stage is a function that returns its results and the items it could not process,
with the reason: `responses` reads a consultation's file, `campaigns` finds the same
letter sent many times.
"""
