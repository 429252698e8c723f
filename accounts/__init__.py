"""Facilitator accounts: first-run setup, sign in and out, passwords."""
