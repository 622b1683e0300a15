"""Writes ``cassettes/robinhood/*.yaml``: Robinhood's answers in their documented shapes.

The cassettes are vcrpy's format, as a recording through ``tests.cassette_support.make_vcr``
would leave them: the ``x-api-key``, ``x-signature`` and ``x-timestamp`` headers are absent
(filtered), the URLs, query strings, JSON request bodies and answers are Robinhood's. The
shapes follow ``../shared/reference/robinhood-crypto-api.md`` and the examples of the official
documentation (docs.robinhood.com/crypto/trading); ``cassettes/robinhood/README.md`` says
which answer comes from where. Request bodies are written out literally (not built with the
plugin's code), so that replaying with body matching checks the plugin's mapping.

Regenerate with ``.venv/bin/python -m tests.robinhood.build_cassettes``;
``test_cassettes_are_current`` fails when a file differs from what this module writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.cassette_support import CASSETTES

BASE = "https://trading.robinhood.com/api/v1/crypto"
DIRECTORY = CASSETTES / "robinhood"
ACCOUNT = "RH0001234567"  # fake account number
DATE = "Mon, 15 Apr 2024 14:02:11 GMT"

# Fixed ids used by the tests.
MARKET_ORDER_ID = "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8e11"
MARKET_CLIENT_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a01"
LIMIT_ORDER_ID = "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8e12"
LIMIT_CLIENT_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a02"
STOP_ORDER_ID = "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8e13"
STOP_CLIENT_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a03"
STOP_LIMIT_ORDER_ID = "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8e14"
STOP_LIMIT_CLIENT_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a04"
OLD_ORDER_ID = "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8e15"
OLD_CLIENT_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a05"
MISSING_ORDER_ID = "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8eff"
REFUSED_CLIENT_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a09"

JSON = {"content-type": ["application/json"], "date": [DATE]}


def _request(method: str, uri: str, body: Any = None) -> dict[str, Any]:
    headers: dict[str, list[str]] = {
        "accept": ["application/json"],
        "user-agent": ["powertrader-robinhood/0.1"],
    }
    text = ""  # httpx records a request without a body as an empty one
    if body is not None:
        text = json.dumps(body, separators=(",", ":"))
        headers["content-type"] = ["application/json"]
    return {"body": text, "headers": headers, "method": method, "uri": uri}


def _response(
    status: int,
    body: Any,
    *,
    message: str = "OK",
    headers: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body, separators=(", ", ": "))
    return {
        "body": {"string": text},
        # Fresh lists per answer, so the YAML has no anchors and reads like a recording.
        "headers": {name: list(values) for name, values in (headers or JSON).items()},
        "status": {"code": status, "message": message},
    }


def _error(status: int, message: str, kind: str, attr: str | None, detail: str,
           extra_headers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return _response(status, {"type": kind, "errors": [{"attr": attr, "detail": detail}]},
                     message=message, headers={**JSON, **(extra_headers or {})})


def _pair(symbol: str, asset_inc: str, quote_inc: str, min_size: str, max_size: str,
          status: str = "tradable") -> dict[str, Any]:
    asset, quote = symbol.split("-")
    return {
        "asset_code": asset,
        "quote_code": quote,
        "quote_increment": quote_inc,
        "asset_increment": asset_inc,
        "max_order_size": max_size,
        "min_order_size": min_size,
        "status": status,
        "symbol": symbol,
    }


BTC_PAIR = _pair("BTC-USD", "0.000000010000000000", "0.010000000000000000",
                 "0.000010000000000000", "20.0000000000000000")
ETH_PAIR = _pair("ETH-USD", "0.000001000000000000", "0.010000000000000000",
                 "0.000010000000000000", "300.000000000000000000")
DOGE_PAIR = _pair("DOGE-USD", "0.010000000000000000", "0.000001000000000000",
                  "1.000000000000000000", "5000000.000000000000000000")
LUNA_PAIR = _pair("LUNA-USD", "0.010000000000000000", "0.000001000000000000",
                  "1.000000000000000000", "1000.000000000000000000", status="untradable")


def _pair_lookup(symbol: str, pair: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": _request("GET", f"{BASE}/trading/trading_pairs/?symbol={symbol}"),
        "response": _response(200, {"next": None, "previous": None, "results": [pair]}),
    }


def _order(order_id: str, client_id: str, kind: str, config: dict[str, Any], *,
           state: str = "open", side: str = "buy", symbol: str = "BTC-USD",
           executions: list[dict[str, Any]] | None = None, average: Any = None,
           filled: Any = "0.000000000000000000") -> dict[str, Any]:
    return {
        "id": order_id,
        "account_number": ACCOUNT,
        "symbol": symbol,
        "client_order_id": client_id,
        "side": side,
        "executions": executions or [],
        "type": kind,
        "state": state,
        "average_price": average,
        "filled_asset_quantity": filled,
        "created_at": "2024-04-15T14:02:11.402711-04:00",
        "updated_at": "2024-04-15T14:02:11.867234-04:00",
        f"{kind}_order_config": config,
    }


FILLED_MARKET = _order(
    MARKET_ORDER_ID, MARKET_CLIENT_ID, "market", {"asset_quantity": "0.00100000"},
    state="filled",
    executions=[
        {"effective_price": "66997.12", "quantity": "0.00060000",
         "timestamp": "2024-04-15T18:02:11.611Z"},
        {"effective_price": "67001.62", "quantity": "0.00040000",
         "timestamp": "2024-04-15T18:02:11.702Z"},
    ],
    average="66998.92", filled="0.001000000000000000",
)
LIMIT_OPEN = _order(LIMIT_ORDER_ID, LIMIT_CLIENT_ID, "limit",
                    {"asset_quantity": "0.00500000", "limit_price": "60000.00",
                     "time_in_force": "gtc"})
STOP_OPEN = _order(STOP_ORDER_ID, STOP_CLIENT_ID, "stop_loss",
                   {"asset_quantity": "0.01000000", "stop_price": "58000.00",
                    "time_in_force": "gtc"}, side="sell")
STOP_LIMIT_PARTIAL = _order(
    STOP_LIMIT_ORDER_ID, STOP_LIMIT_CLIENT_ID, "stop_limit",
    {"asset_quantity": "2.000000", "limit_price": "3150.00", "stop_price": "3100.00",
     "time_in_force": "gtc"},
    symbol="ETH-USD", state="partially_filled",
    # JSON numbers rather than strings: Robinhood sends both.
    executions=[{"effective_price": 3149.5, "quantity": 0.5,
                 "timestamp": "2024-04-15T18:03:00Z"}],
    average=3149.5, filled=0.5,
)
OLD_CANCELED = _order(OLD_ORDER_ID, OLD_CLIENT_ID, "limit",
                      {"asset_quantity": "100.00", "limit_price": "0.150000",
                       "time_in_force": "gtc"}, symbol="DOGE-USD", state="canceled")
CANCELED_LIMIT = {**LIMIT_OPEN, "state": "canceled",
                  "updated_at": "2024-04-15T14:05:40.120044-04:00"}


def _orders_post(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    return {"request": _request("POST", f"{BASE}/trading/orders/", body),
            "response": _response(201, answer, message="Created")}


def cassettes() -> dict[str, list[dict[str, Any]]]:
    """Every cassette: file name -> interactions."""
    best = f"{BASE}/marketdata/best_bid_ask/"
    return {
        "accounts.yaml": [{
            "request": _request("GET", f"{BASE}/trading/accounts/"),
            "response": _response(200, {"account_number": ACCOUNT, "status": "active",
                                        "buying_power": "1523.47",
                                        "buying_power_currency": "USD"}),
        }],
        "best_bid_ask_batch.yaml": [{
            "request": _request(
                "GET", f"{best}?symbol=BTC-USD&symbol=ETH-USD&symbol=DOGE-USD"),
            "response": _response(200, {"results": [
                # numbers as strings
                {"symbol": "BTC-USD", "price": "67329.905", "bid_inclusive_of_sell_spread":
                 "67059.08", "sell_spread": "0.004022", "ask_inclusive_of_buy_spread":
                 "67600.73", "buy_spread": "0.004022",
                 "timestamp": "2024-04-15T18:02:11.389011Z"},
                # numbers as JSON numbers, time with an offset
                {"symbol": "ETH-USD", "price": 3141.25, "bid_inclusive_of_sell_spread":
                 3128.67, "sell_spread": 0.004005, "ask_inclusive_of_buy_spread": 3153.83,
                 "buy_spread": 0.004005, "timestamp": "2024-04-15T14:02:11.389011-04:00"},
                # a null timestamp
                {"symbol": "DOGE-USD", "price": "0.152311", "bid_inclusive_of_sell_spread":
                 "0.151702", "sell_spread": "0.004", "ask_inclusive_of_buy_spread":
                 "0.15292", "buy_spread": "0.004", "timestamp": None},
            ]}),
        }],
        "best_bid_ask_single.yaml": [{
            "request": _request("GET", f"{best}?symbol=BTC-USD"),
            "response": _response(200, {"results": [
                {"symbol": "BTC-USD", "price": "67329.905", "bid_inclusive_of_sell_spread":
                 "67059.08", "sell_spread": "0.004022", "ask_inclusive_of_buy_spread":
                 "67600.73", "buy_spread": "0.004022",
                 "timestamp": "2024-04-15T18:02:11.389011Z"}]}),
        }],
        "estimated_price.yaml": [
            {"request": _request("GET", f"{BASE}/marketdata/estimated_price/"
                                 "?symbol=BTC-USD&side=ask&quantity=0.5"),
             "response": _response(200, {"results": [
                 {"symbol": "BTC-USD", "side": "ask", "price": "67335.51", "quantity": "0.5",
                  "bid_inclusive_of_sell_spread": None, "sell_spread": None,
                  "ask_inclusive_of_buy_spread": "67606.35", "buy_spread": "0.004022",
                  "timestamp": "2024-04-15T18:02:12.101934Z"}]})},
            {"request": _request("GET", f"{BASE}/marketdata/estimated_price/"
                                 "?symbol=BTC-USD&side=bid&quantity=0.5"),
             "response": _response(200, {"results": [
                 {"symbol": "BTC-USD", "side": "bid", "price": 67322.1, "quantity": 0.5,
                  "bid_inclusive_of_sell_spread": 67051.33, "sell_spread": 0.004022,
                  "ask_inclusive_of_buy_spread": None, "buy_spread": None,
                  "timestamp": "2024-04-15T18:02:12.284467Z"}]})},
        ],
        "trading_pairs_two_pages.yaml": [
            {"request": _request("GET", f"{BASE}/trading/trading_pairs/"),
             "response": _response(200, {
                 "next": f"{BASE}/trading/trading_pairs/?cursor=cD0yMDI0LTA0LTE1",
                 "previous": None, "results": [BTC_PAIR, ETH_PAIR]})},
            {"request": _request("GET", f"{BASE}/trading/trading_pairs/"
                                 "?cursor=cD0yMDI0LTA0LTE1"),
             "response": _response(200, {
                 "next": None,
                 "previous": f"{BASE}/trading/trading_pairs/?cursor=cj0xJnA9MjAyNA",
                 "results": [DOGE_PAIR, LUNA_PAIR]})},
        ],
        "balances_two_pages.yaml": [
            {"request": _request("GET", f"{BASE}/trading/accounts/"),
             "response": _response(200, {"account_number": ACCOUNT, "status": "active",
                                         "buying_power": "1523.47",
                                         "buying_power_currency": "USD"})},
            {"request": _request("GET", f"{BASE}/trading/holdings/"),
             "response": _response(200, {
                 "next": f"{BASE}/trading/holdings/?cursor=aD0y",
                 "previous": None, "results": [
                     {"account_number": ACCOUNT, "asset_code": "BTC",
                      "total_quantity": "0.051200000000000000",
                      "quantity_available_for_trading": "0.046200000000000000"},
                     {"account_number": ACCOUNT, "asset_code": "ETH",
                      "total_quantity": 1.25, "quantity_available_for_trading": 1.25}]})},
            {"request": _request("GET", f"{BASE}/trading/holdings/?cursor=aD0y"),
             "response": _response(200, {"next": None, "previous": None, "results": [
                 {"account_number": ACCOUNT, "asset_code": "DOGE",
                  "total_quantity": "1500.00", "quantity_available_for_trading": "1500.00"}]})},
        ],
        "holdings_one_asset.yaml": [
            {"request": _request("GET", f"{BASE}/trading/holdings/?asset_code=BTC"),
             "response": _response(200, {"next": None, "previous": None, "results": [
                 {"account_number": ACCOUNT, "asset_code": "BTC",
                  "total_quantity": "0.051200000000000000",
                  "quantity_available_for_trading": "0.046200000000000000"}]})},
        ],
        "place_market_order.yaml": [
            _pair_lookup("BTC-USD", BTC_PAIR),
            _orders_post({"client_order_id": MARKET_CLIENT_ID, "side": "buy", "type": "market",
                          "symbol": "BTC-USD",
                          "market_order_config": {"asset_quantity": "0.00100000"}},
                         FILLED_MARKET),
        ],
        "place_limit_order.yaml": [
            _pair_lookup("BTC-USD", BTC_PAIR),
            _orders_post({"client_order_id": LIMIT_CLIENT_ID, "side": "buy", "type": "limit",
                          "symbol": "BTC-USD",
                          "limit_order_config": {"asset_quantity": "0.00500000",
                                                 "limit_price": "60000.00",
                                                 "time_in_force": "gtc"}},
                         LIMIT_OPEN),
        ],
        "place_stop_loss_order.yaml": [
            _pair_lookup("BTC-USD", BTC_PAIR),
            _orders_post({"client_order_id": STOP_CLIENT_ID, "side": "sell",
                          "type": "stop_loss", "symbol": "BTC-USD",
                          "stop_loss_order_config": {"asset_quantity": "0.01000000",
                                                     "stop_price": "58000.00",
                                                     "time_in_force": "gtc"}},
                         STOP_OPEN),
        ],
        "place_stop_limit_order.yaml": [
            _pair_lookup("ETH-USD", ETH_PAIR),
            _orders_post({"client_order_id": STOP_LIMIT_CLIENT_ID, "side": "buy",
                          "type": "stop_limit", "symbol": "ETH-USD",
                          "stop_limit_order_config": {"asset_quantity": "2.000000",
                                                      "limit_price": "3150.00",
                                                      "stop_price": "3100.00",
                                                      "time_in_force": "gtc"}},
                         STOP_LIMIT_PARTIAL),
        ],
        "get_order.yaml": [
            {"request": _request("GET", f"{BASE}/trading/orders/{MARKET_ORDER_ID}/"),
             "response": _response(200, FILLED_MARKET)},
        ],
        "get_order_by_client_id.yaml": [
            {"request": _request("GET", f"{BASE}/trading/orders/"),
             "response": _response(200, {
                 "next": f"{BASE}/trading/orders/?cursor=bz0xMDA",
                 "previous": None, "results": [LIMIT_OPEN, STOP_OPEN]})},
            {"request": _request("GET", f"{BASE}/trading/orders/?cursor=bz0xMDA"),
             "response": _response(200, {"next": None, "previous": None,
                                         "results": [FILLED_MARKET, OLD_CANCELED]})},
        ],
        "open_orders.yaml": [
            {"request": _request("GET", f"{BASE}/trading/orders/?state=open"),
             "response": _response(200, {"next": None, "previous": None,
                                         "results": [LIMIT_OPEN, STOP_OPEN]})},
            {"request": _request("GET", f"{BASE}/trading/orders/?state=partially_filled"),
             "response": _response(200, {"next": None, "previous": None,
                                         "results": [STOP_LIMIT_PARTIAL]})},
        ],
        "cancel_order.yaml": [
            {"request": _request("POST", f"{BASE}/trading/orders/{LIMIT_ORDER_ID}/cancel/"),
             "response": _response(
                 200, f"Cancel request was submitted for order {LIMIT_ORDER_ID}",
                 headers={"content-type": ["text/plain; charset=utf-8"], "date": [DATE]})},
            {"request": _request("GET", f"{BASE}/trading/orders/{LIMIT_ORDER_ID}/"),
             "response": _response(200, CANCELED_LIMIT)},
        ],
        # ---- errors -------------------------------------------------------------------
        "error_precision.yaml": [
            _pair_lookup("BTC-USD", BTC_PAIR),
            {"request": _request("POST", f"{BASE}/trading/orders/", {
                "client_order_id": REFUSED_CLIENT_ID, "side": "buy", "type": "market",
                "symbol": "BTC-USD", "market_order_config": {"asset_quantity": "0.00012345"}}),
             "response": _error(400, "Bad Request", "validation_error", "asset_quantity",
                                "Order quantity has too much precision. Please round to the "
                                "nearest 0.00001 and try again.")},
        ],
        "error_insufficient_funds.yaml": [
            _pair_lookup("BTC-USD", BTC_PAIR),
            {"request": _request("POST", f"{BASE}/trading/orders/", {
                "client_order_id": REFUSED_CLIENT_ID, "side": "buy", "type": "market",
                "symbol": "BTC-USD", "market_order_config": {"asset_quantity": "2.00000000"}}),
             "response": _error(400, "Bad Request", "validation_error", None,
                                "Insufficient buying power.")},
        ],
        "error_below_minimum.yaml": [
            _pair_lookup("BTC-USD", BTC_PAIR),
            {"request": _request("POST", f"{BASE}/trading/orders/", {
                "client_order_id": REFUSED_CLIENT_ID, "side": "sell", "type": "market",
                "symbol": "BTC-USD", "market_order_config": {"asset_quantity": "0.00001000"}}),
             # Above the pair's minimum size, below the order value Robinhood also requires.
             "response": _error(400, "Bad Request", "validation_error", None,
                                "Order amount must be greater than or equal to $1.00.")},
        ],
        "error_unauthorized.yaml": [
            {"request": _request("GET", f"{BASE}/trading/accounts/"),
             "response": _error(401, "Unauthorized", "client_error", None,
                                "Invalid API key or signature.")},
        ],
        "error_forbidden.yaml": [
            {"request": _request("GET", f"{BASE}/trading/holdings/?asset_code=BTC"),
             "response": _error(403, "Forbidden", "client_error", None,
                                "You do not have permission to perform this action.")},
        ],
        "error_rate_limited.yaml": [
            {"request": _request("GET", f"{BASE}/marketdata/best_bid_ask/?symbol=BTC-USD"),
             "response": _error(429, "Too Many Requests", "client_error", None,
                                "Request was throttled. Expected available in 7 seconds.",
                                {"retry-after": ["7"]})},
        ],
        "error_server.yaml": [
            {"request": _request("GET", f"{BASE}/trading/accounts/"),
             "response": _error(500, "Internal Server Error", "server_error", None,
                                "A server error occurred.")},
        ],
        "error_unavailable_html.yaml": [
            {"request": _request("GET", f"{BASE}/marketdata/best_bid_ask/?symbol=BTC-USD"),
             "response": _response(
                 503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                 message="Service Unavailable",
                 headers={"content-type": ["text/html"], "date": [DATE]})},
        ],
        "error_order_not_found.yaml": [
            {"request": _request("GET", f"{BASE}/trading/orders/{MISSING_ORDER_ID}/"),
             "response": _error(404, "Not Found", "client_error", None, "Not found.")},
            {"request": _request("POST", f"{BASE}/trading/orders/{MISSING_ORDER_ID}/cancel/"),
             "response": _error(404, "Not Found", "client_error", None, "Not found.")},
        ],
        "error_cancel_filled.yaml": [
            {"request": _request("POST", f"{BASE}/trading/orders/{MARKET_ORDER_ID}/cancel/"),
             "response": _error(400, "Bad Request", "validation_error", None,
                                "Order has already been filled and cannot be canceled.")},
        ],
        "error_unknown_symbol.yaml": [
            {"request": _request("GET", f"{BASE}/marketdata/best_bid_ask/?symbol=NOPE-USD"),
             "response": _error(400, "Bad Request", "validation_error", "symbol",
                                "Invalid symbol NOPE-USD.")},
        ],
    }


def render(interactions: list[dict[str, Any]]) -> str:
    """One cassette as vcrpy writes it."""
    return yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=True,
                          allow_unicode=True, width=100)


def main(directory: Path = DIRECTORY) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, interactions in cassettes().items():
        path = directory / name
        path.write_text(render(interactions))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main():
        print(written_path.relative_to(CASSETTES.parent))
