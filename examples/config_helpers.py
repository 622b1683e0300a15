# The seed's "Configuration Helpers" example (API_REFERENCE.txt).
import asyncio  # EDIT: the seed awaits at top level, which a script cannot; see the end

from pt_multi_exchange import config_utils

# Validate exchange configuration
is_valid = config_utils.validate_exchange_config("kraken", {
    "api_key": "your_key",
    "api_secret": "your_secret"
})

# Get regional exchange recommendations
exchanges = config_utils.get_recommended_exchanges("us")
print(f"US exchanges: {exchanges}")

# Test exchange connectivity
async def main():  # EDIT: the seed's top-level `await`, inside a coroutine run below
    is_connected = await config_utils.test_exchange_connection("kraken")
    print(f"Kraken connected: {is_connected}")

asyncio.run(main())  # EDIT: runs the coroutine above
