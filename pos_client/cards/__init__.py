"""Member cards: signed QR tokens (`tokens`), the terminal's signing key (`keys`), the printable card (`render`)."""
