"""The four-level exchange (GB/T 39443): exchange nodes and peers, signed data packages with receipts, the file and
service interfaces, upward and downward flows and the exchange audit (docs/exchange.md)."""
