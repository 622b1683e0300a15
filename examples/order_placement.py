# The seed's "Order Placement" example (API_REFERENCE.txt). Orders go to real exchanges only
# with live trading on: run it with POWERTRADER_LIVE_TRADING=1 (otherwise it is refused).
import asyncio  # EDIT: the seed calls asyncio.run without importing asyncio
from pt_exchange_abstraction import OrderRequest
from pt_multi_exchange import MultiExchangeManager

async def place_crypto_order():
    manager = MultiExchangeManager()

    # Create order request
    order = OrderRequest(
        symbol="BTC-USD",
        side="buy",
        amount=0.001,
        order_type="market"
    )

    # Place on specific exchange
    result = await manager.place_order(order, exchange="kraken")
    print(f"Order {result.order_id}: {result.status}")

    # Place on best price exchange
    result = await manager.place_order(order)  # Auto-selects best exchange
    print(f"Executed at ${result.average_price} on best exchange")

asyncio.run(place_crypto_order())
