"""PowerTrader exchanges backed by ccxt.

Kraken, Binance, Coinbase, KuCoin, Bitstamp, Bybit, OKX, and any other ccxt exchange.
"""
