"""The Acme exchange for PowerTrader."""
