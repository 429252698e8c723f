"""Data protection (issue 26): erasing a participant, from the console and the command line."""
