# The seed's "Settings Management" example (API_REFERENCE.txt).
from pt_hub import PowerTraderHub

# Access settings from GUI application
hub = PowerTraderHub()
settings = hub.settings

# Exchange settings
primary_exchange = settings.get("primary_exchange", "robinhood")
region = settings.get("region", "us")
price_comparison = settings.get("price_comparison_enabled", True)

# Trading settings
coins = settings.get("coins", ["BTC", "ETH"])
trade_start_level = settings.get("trade_start_level", 3)
start_allocation_pct = settings.get("start_allocation_pct", 5.0)

# EDIT: the seed prints nothing; this line shows what it read (unset keys: its fallbacks).
print(primary_exchange, region, price_comparison, coins, trade_start_level, start_allocation_pct)
