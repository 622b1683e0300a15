# The seed's "Real-time Price Streaming" example (API_REFERENCE.txt), as written: no edit
# needed. It runs until stopped (Ctrl-C or a signal). Where an exchange's websocket cannot
# connect, its prices are polled until the websocket is back.
from pt_multi_exchange import MultiExchangeManager
import asyncio

async def price_stream():
    manager = MultiExchangeManager()

    def on_price_update(exchange, symbol, price_data):
        print(f"[{exchange}] {symbol}: ${price_data.price}")

    def on_connection_change(exchange, connected):
        status = "Connected" if connected else "Disconnected"
        print(f"[{exchange}] {status}")

    # Subscribe to events
    manager.subscribe_to_price_updates(on_price_update)
    manager.subscribe_to_connection_events(on_connection_change)

    # Start monitoring
    await manager.start_price_monitoring(["BTC-USD", "ETH-USD"])

    # Keep running
    while True:
        await asyncio.sleep(1)

asyncio.run(price_stream())
