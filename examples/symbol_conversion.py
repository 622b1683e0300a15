# The seed's "Symbol Conversion" example (API_REFERENCE.txt).
from pt_exchanges import symbol_utils

# Convert between different exchange symbol formats
binance_symbol = symbol_utils.to_binance_format("BTC-USD")  # "BTCUSDT"
kraken_symbol = symbol_utils.to_kraken_format("BTC-USD")    # "XBTUSD"
coinbase_symbol = symbol_utils.to_coinbase_format("BTC-USD") # "BTC-USD"

# Normalize to standard format
standard_symbol = symbol_utils.normalize_symbol("BTCUSDT", "binance")  # "BTC-USD"

# EDIT: the seed prints nothing; this line shows the values its comments promise.
print(binance_symbol, kraken_symbol, coinbase_symbol, standard_symbol)
