"""Audits of real sites nobody here wrote, checked against their files."""
