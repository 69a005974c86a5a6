"""Jurisdictions, units, people, key parts and the staffing rules."""
