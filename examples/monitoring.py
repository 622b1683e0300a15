# The seed's "Exchange Health Monitoring" example (API_REFERENCE.txt), as written: no edit
# needed. It asks nothing of the network, so before any call every exchange is "unknown".
from pt_multi_exchange import MultiExchangeManager

def monitor_exchanges():
    manager = MultiExchangeManager()

    # Get overall system status
    status = manager.get_system_status()
    print(f"System Status: {status['overall']}")
    print(f"Available Exchanges: {status['available_count']}/{status['total_count']}")

    # Detailed exchange status
    exchange_status = manager.get_exchange_status()
    for exchange, info in exchange_status.items():
        print(f"{exchange}: {info['status']} ({info['latency']}ms)")
        if info.get('last_error'):
            print(f"  Error: {info['last_error']}")

# Run monitoring
monitor_exchanges()
