"""MDTO transfer package (SIP) for the Nationaal Archief or a regional archive (docs/transfer.md)."""
