# The seed's "Balance Management" example (API_REFERENCE.txt).
import asyncio  # EDIT: the seed calls asyncio.run without importing asyncio
from pt_multi_exchange import MultiExchangeManager  # EDIT: the seed uses it without importing it

async def check_balances():
    manager = MultiExchangeManager()

    # Get balances from all exchanges
    all_balances = await manager.get_balances()
    for exchange, balances in all_balances.items():
        print(f"\n{exchange.upper()} Balances:")
        for asset, amount in balances.items():
            if amount > 0:
                print(f"  {asset}: {amount}")

    # Get specific exchange balance
    kraken_balances = await manager.get_balances("kraken")
    btc_balance = kraken_balances.get("kraken", {}).get("BTC", 0)
    print(f"Kraken BTC balance: {btc_balance}")

asyncio.run(check_balances())
