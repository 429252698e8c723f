"""Workshops: agenda, groups, participants, join codes and live facilitation."""
