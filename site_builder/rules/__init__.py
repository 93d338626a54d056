"""Rules: the catalogue, disclosure periods and profiles, identifiers, validation, the disclosure decision, redaction and privacy."""
