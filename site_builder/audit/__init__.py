"""The audit trail: ledger of decisions, hash-chained history, manifest, signatures, verification and explanations."""
