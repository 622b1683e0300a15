"""PowerTrader's Robinhood exchange: the official Robinhood Crypto Trading API."""
