"""Audit events: every write, export and download, with before and after."""
