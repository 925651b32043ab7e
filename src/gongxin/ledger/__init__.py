"""Tamper evidence: an append-only Merkle log (RFC 6962/9162) of every record version and decision, signed
checkpoints (C2SP signed note), inclusion and consistency proofs, witnesses and the audit (docs/ledger.md)."""
