"""PowerTrader's paper-trading exchange: trades without money, offline by default."""
