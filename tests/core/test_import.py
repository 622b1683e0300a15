"""``import powertrader_core`` stays light: no ccxt, no HTTP client (timing is in bench/)."""

from __future__ import annotations

import json
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True, capture_output=True, text=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_core_import_does_not_import_ccxt_or_http_clients() -> None:
    loaded = _modules_after("import powertrader_core")
    assert not {m for m in loaded if m == "ccxt" or m.startswith("ccxt.")}
    assert "aiohttp" not in loaded and "httpx" not in loaded


def test_plugin_discovery_does_not_import_ccxt() -> None:
    loaded = _modules_after(
        "from powertrader_core import ExchangeFactory; ExchangeFactory.get_available_exchanges()"
    )
    assert "ccxt" not in loaded


def test_seed_import_lines_work() -> None:
    code = (
        "from pt_exchange_abstraction import AbstractExchange, MarketData, OrderResult,"
        " OrderRequest, ExchangeType, ExchangeFactory, ExchangeConnectionError,"
        " ExchangeAuthenticationError, ExchangeRateLimitError, ExchangeOrderError\n"
        "from pt_exchanges import symbol_utils\n"
        "import pt_multi_exchange, pt_hub\n"
        "assert ExchangeType.KRAKEN.value == 'kraken' and len(list(ExchangeType)) == 8"
    )
    _modules_after(code)
