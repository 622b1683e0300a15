# The seed's "Market Data Access" example (API_REFERENCE.txt), as written: no edit needed.
import asyncio
from pt_multi_exchange import MultiExchangeManager

async def get_crypto_prices():
    manager = MultiExchangeManager()

    # Single exchange
    btc_data = await manager.get_market_data("BTC-USD", "kraken")
    print(f"BTC: ${btc_data.price}")

    # Compare across exchanges
    eth_prices = await manager.compare_prices("ETH-USD")
    for exchange, data in eth_prices.items():
        print(f"{exchange}: ${data.price}")

    # Best price discovery
    best_btc = await manager.get_best_price("BTC-USD", "buy")
    print(f"Best buy price: ${best_btc.price} on {best_btc.exchange}")

# Run async function
asyncio.run(get_crypto_prices())
