# The seed's "Creating Custom Exchange" and "Using Custom Exchange" examples
# (API_REFERENCE.txt), one after the other.
import asyncio  # EDIT: the seed awaits at top level, which a script cannot; see the end
import os  # EDIT: for CUSTOM_EXCHANGE_URL below
from datetime import datetime  # EDIT: the seed uses datetime without importing it

from pt_exchange_abstraction import AbstractExchange, MarketData, OrderResult
from pt_exchange_abstraction import OrderRequest  # EDIT: the seed uses it without importing it
from typing import List, Dict
import aiohttp

# EDIT: api.customexchange.com is made up; the URL can point at a real (or test) server.
API_URL = os.environ.get("CUSTOM_EXCHANGE_URL", "https://api.customexchange.com")

class CustomExchange(AbstractExchange):
    """Custom exchange implementation template."""

    def __init__(self, config: Dict = None):
        super().__init__()
        self.config = config or {}
        self.session = None

    def get_supported_regions(self) -> List[str]:
        return ["us", "eu", "global"]  # Specify supported regions

    async def initialize(self) -> bool:
        """Initialize API connection."""
        try:
            self.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30)
            )
            # Test API connection
            await self._test_connection()
            return True
        except Exception as e:
            print(f"Custom exchange init failed: {e}")
            return False

    async def get_market_data(self, symbol: str) -> MarketData:
        """Implement market data retrieval."""
        normalized_symbol = self.normalize_symbol(symbol)

        async with self.session.get(
            f"{API_URL}/ticker/{normalized_symbol}"  # EDIT: API_URL for the seed's host
        ) as response:
            data = await response.json()

            return MarketData(
                symbol=symbol,
                price=float(data['price']),
                bid=float(data['bid']),
                ask=float(data['ask']),
                volume=float(data['volume']),
                timestamp=datetime.now(),
                exchange="custom"
            )

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        """Implement order placement."""
        # Build order payload
        payload = {
            "symbol": self.normalize_symbol(order_request.symbol),
            "side": order_request.side,
            "type": order_request.order_type,
            "quantity": order_request.amount
        }

        if order_request.order_type == "limit":
            payload["price"] = order_request.price

        # Submit order
        async with self.session.post(
            f"{API_URL}/order",  # EDIT: API_URL for the seed's host
            json=payload,
            headers=self._get_auth_headers()
        ) as response:
            result = await response.json()

            return OrderResult(
                order_id=result['order_id'],
                status=result['status'],
                filled_amount=float(result.get('filled_qty', 0)),
                remaining_amount=float(result.get('remaining_qty', 0)),
                average_price=float(result.get('avg_price', 0)),
                fees=result.get('fees', {}),
                timestamp=datetime.now()
            )

    def normalize_symbol(self, symbol: str) -> str:
        """Convert symbol to exchange format."""
        # Example: BTC-USD -> BTCUSD
        return symbol.replace("-", "").upper()

    def _get_auth_headers(self) -> Dict[str, str]:
        """Generate authentication headers."""
        return {
            "X-API-Key": self.config.get("api_key", ""),
            "X-API-Secret": self.config.get("api_secret", "")
        }

    async def _test_connection(self):
        """Test API connectivity."""
        async with self.session.get(
            f"{API_URL}/ping"  # EDIT: API_URL for the seed's host
        ) as response:
            if response.status != 200:
                raise Exception(f"Connection test failed: {response.status}")

# Register custom exchange
from pt_exchange_abstraction import ExchangeFactory
ExchangeFactory.register_exchange("custom", CustomExchange)

# ---- Using Custom Exchange --------------------------------------------------------------

from pt_multi_exchange import MultiExchangeManager, ExchangeConfigManager

# Configure custom exchange
config_manager = ExchangeConfigManager()
config_manager.save_exchange_config("custom", {
    "api_key": "your_custom_api_key",
    "api_secret": "your_custom_api_secret"
})

# Use with multi-exchange manager
manager = MultiExchangeManager(config_manager)
async def main():  # EDIT: the seed's top-level `await`, inside a coroutine run below
    data = await manager.get_market_data("BTC-USD", "custom")
    print(f"Custom exchange price: ${data.price}")

asyncio.run(main())  # EDIT: runs the coroutine above
