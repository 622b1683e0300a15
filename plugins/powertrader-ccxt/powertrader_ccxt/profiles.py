"""The profile table: what differs between ccxt exchanges, as data.

One :class:`ExchangeProfile` per mainstream exchange. ``CcxtExchange`` reads everything it
needs to know about an exchange from here, so a change in the world (a venue leaving a region,
a new client-id rule) is one edit in this table, never a new subclass. Exchanges without a row
are reachable as ``ccxt:<id>`` through :func:`generic_profile` (regions unknown: global).

Entities of one exchange that serve different regions from their own hosts and with their own
keys (Bybit EU, MyOKX, OKX US, Binance.US) have rows of their own, made from the family's row
(:func:`_entity`): ccxt makes each a subclass of the family's class, so they speak its API and
keep its client-id and symbol rules, while hosts, regions and keys are theirs. A ``ccxt:<id>``
without a row likewise takes the rules of the row its ccxt class derives from
(``ccxt_files.ccxt_parent``): ``ccxt:binanceusdm`` follows Binance's client-id rule.

Facts come from ``shared/reference/exchanges.md`` (regions, symbols) and from ccxt 4.5's
exchange definitions (sandbox URLs, market-loading options, which request parameters ccxt
sends). The ``ccxt_options`` of each row are merged into the ccxt instance's ``options`` and
decide which requests ``load_markets`` makes: only spot markets, since the contract trades spot.

Nothing here imports ccxt: the plugin's import stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from powertrader_ccxt.ccxt_files import ccxt_parent
from powertrader_ccxt.profile_types import (
    ClientIdFormat,
    ClientIdLookup,
    ExchangePaging,
    ExchangeProfile,
    RequestDeadline,
)
from powertrader_core.kit import SYMBOL_FORMATS, SymbolFormat, exchange_key

__all__ = [
    "PROFILES",
    "ClientIdFormat",
    "ClientIdLookup",
    "ExchangePaging",
    "ExchangeProfile",
    "RequestDeadline",
    "family_of",
    "generic_profile",
    "profile_for",
    "spot_only_options",
]


_UUID_OR_SHORT = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

_FAMILIES: dict[str, ExchangeProfile] = {
        "kraken": ExchangeProfile(
            name="kraken",
            ccxt_id="kraken",
            regions=("us", "eu", "global"),
            hosts=("api.kraken.com",),  # docs.kraken.com, Spot REST introduction
            symbol_format=SYMBOL_FORMATS["kraken"],
            streaming=True,
            sandbox=False,
            # Kraken's spot REST API lists spot pairs only (futures live elsewhere).
            ccxt_options={},
            # cl_ord_id: a UUID (long or 32-hex short form) or free text of up to 18 ASCII
            # characters (Kraken REST docs, AddOrder).
            client_id=ClientIdFormat(
                pattern=rf"(?:{_UUID_OR_SHORT}|[0-9a-fA-F]{{32}}|[\x21-\x7e]{{1,18}})",
                uuid_form="uuid",
            ),
            # QueryOrders knows only txid/userref; OpenOrders and ClosedOrders take cl_ord_id.
            # ClosedOrders lists filled, cancelled and expired orders alike (no status filter).
            client_id_lookup="open_closed",
            finished_orders=("fetch_closed_orders",),
            # Reconcile in few requests: ClosedOrders answers 50 orders a page, the next page
            # asked with "ofs" (the offset) and "start" (docs.kraken.com/api/docs/rest-api/
            # get-closed-orders); OpenOrders answers every open order at once (get-open-orders).
            # QueryOrders takes "txid": a comma-delimited list of up to 50 transaction ids
            # (docs.kraken.com/api/docs/rest-api/get-orders-info).
            paging=ExchangePaging(page_size=50, max_pages=20, offset_param="ofs"),
            orders_per_query=50,
            # ccxt falls back to the integer userref when cl_ord_id is missing: its default 0
            # is no client id.
            client_id_keys=("cl_ord_id",),
            client_id_placeholders=("0",),
            # ccxt's Kraken reads stop-loss triggers from stopLossPrice (ordertype stop-loss).
            stop_param="stopLossPrice",
            # API-Sign is an HMAC-SHA512 "using the base64-decoded secret API key"
            # (docs.kraken.com, Spot REST API, Authentication).
            secret_format="base64",
            # AddOrder "deadline": an RFC 3339 time "after which the matching engine should
            # reject the new order request, in presence of latency or order queueing"; min
            # now() + 2 s, max now() + 60 s (docs.kraken.com/api/docs/rest-api/add-order);
            # refused late with "EService:Deadline elapsed" (docs.kraken.com/api/docs/guides/
            # spot-errors). Engine-enforced: after it the order cannot appear. ccxt's kraken
            # passes unknown params through to the AddOrder body. One second more than
            # Kraken's minimum: the minimum is judged when the request arrives.
            order_deadline=RequestDeadline("order_param", "deadline", 3.0, 60.0, engine=True),
            notes="BTC is XBT; not for New York or Washington State residents",
        ),
        "binance": ExchangeProfile(
            name="binance",
            ccxt_id="binance",
            # Binance.com answers US addresses with HTTP 451; Binance.US serves the US.
            regions=("eu", "global"),
            hosts=("api.binance.com",),  # binance-spot-api-docs rest-api.md, base endpoints
            symbol_format=SYMBOL_FORMATS["binance"],
            streaming=True,
            sandbox=True,
            ccxt_options={
                "defaultType": "spot",
                "fetchMarkets": {"types": ["spot"], "loadAllOptions": False},
                # Margin pair lists are private calls the spot contract never needs.
                "fetchMargins": False,
                # The coin list (/sapi/v1/capital/config/getall, signed, weight 10) serves
                # deposits and withdrawals; spot precision and limits come from exchangeInfo.
                "fetchCurrencies": False,
            },
            # newClientOrderId: unique among open orders; the spot REST docs give no format,
            # the spot FIX docs the regex ^[a-zA-Z0-9-_]{1,36}$ (github.com/binance/
            # binance-spot-api-docs fix-api.md; rest-api.md "New order"). The regex
            # ^[\.A-Z\:/a-z0-9_-]{1,36}$ quoted here before is the futures API's.
            client_id=ClientIdFormat(pattern=r"[a-zA-Z0-9\-_]{1,36}", uuid_form="uuid"),
            client_id_lookup="fetch_order",
            # A cancel answer's clientOrderId is the cancel request's own new id; the order's
            # is origClientOrderId (which ccxt does not read).
            client_id_keys=("origClientOrderId",),
            # Signed requests carry timestamp and recvWindow (ms, default 5000, max 60000);
            # Binance checks it when the request arrives and again before forwarding it to the
            # matching engine, not inside the engine, and a timed-out request's "execution
            # status is unknown" (github.com/binance/binance-spot-api-docs rest-api.md,
            # "Timing security" and "General API Information"): not an engine deadline.
            order_deadline=RequestDeadline("ccxt_option", "recvWindow", 1.0, 59.0),
            notes="no USD market: USD means USDT; US addresses get HTTP 451 (Binance.US is "
            "ccxt's binanceus)",
        ),
        "coinbase": ExchangeProfile(
            name="coinbase",
            ccxt_id="coinbase",
            regions=("us", "eu", "global"),
            hosts=("api.coinbase.com",),  # docs.cdp.coinbase.com, Advanced Trade REST API
            symbol_format=SYMBOL_FORMATS["coinbase"],
            streaming=True,
            sandbox=False,
            # Advanced Trade (v3) markets, public endpoint.
            ccxt_options={"fetchMarkets": "fetchMarketsV3", "fetchTickers": "fetchTickersV3"},
            # CDP API keys sign a JWT with their private key: ECDSA keys come as a PEM block,
            # Ed25519 keys as base64 (docs.cdp.coinbase.com, Advanced Trade API, API Key
            # Authentication).
            secret_format="pem_or_ed25519",
            # ccxt 4.5's create_order ignores clientOrderId and sends its own "ccxt-<uuid>";
            # Coinbase's own field, passed through, replaces it.
            client_id=ClientIdFormat(
                pattern=r"[A-Za-z0-9_\-:.]{1,128}", uuid_form="uuid", param="client_order_id"
            ),
            # List Orders has no client-id filter: open orders, then every order (no
            # order_status: fetch_closed_orders would ask FILLED only).
            client_id_lookup="scan",
            finished_orders=("fetch_orders",),
            # List Orders (GET /api/v3/brokerage/orders/historical/batch) takes limit, cursor
            # and start_date but no client id (Advanced Trade docs; coinbase-advanced-py
            # list_orders); the answer's has_next/cursor say whether pages remain, and ccxt
            # copies the cursor into the first raw order. Ten pages of 100, from the order's
            # send time when known: past that, "unknown" (a resend could double the order).
            paging=ExchangePaging(
                page_size=100, max_pages=10, cursor_param="cursor", cursor_key="cursor"
            ),
            # A market BUY is market_market_ioc.quote_size, the quote currency to spend (ccxt
            # create_order; a SELL is base_size). ccxt sends amount x price (cost_to_precision)
            # with the price the plugin checked the order's minimum value with (a quote seen in
            # the last minute, else one ticker request). Chosen over ccxt's cost mode
            # (createMarketBuyOrderRequiresPrice False + cost): the same request, but the
            # amount stays in base units end to end (checks, precision, the reported amount).
            # The base amount bought follows the fill price and Coinbase takes its fee from
            # the quote_size, so it comes out near, not exactly at, the amount asked.
            market_buy_needs_price=True,
            # No order-deadline or receive-window field on Create Order; the request's JWT
            # expires after 2 minutes (docs.cdp.coinbase.com, Create Order; JWT
            # authentication): an authentication check, not an order deadline.
            order_deadline=None,
            notes="Advanced Trade API; keys sign a short-lived JWT",
        ),
        "kucoin": ExchangeProfile(
            name="kucoin",
            ccxt_id="kucoin",
            regions=("eu", "global"),  # left the US in 2025
            hosts=("api.kucoin.com",),  # kucoin.com/docs-new, spot base URL
            symbol_format=SYMBOL_FORMATS["kucoin"],
            passphrase=True,
            streaming=True,
            sandbox=False,
            ccxt_options={
                "fetchMarkets": {"types": ["spot"], "fetchTickersFees": True},
                # The classic spot account API; spares an account-mode request per call.
                "uta": False,
            },
            # clientOid: up to 40 characters; letters, digits, '-' and '_' (KuCoin docs).
            client_id=ClientIdFormat(pattern=r"[A-Za-z0-9_\-]{1,40}", uuid_form="uuid"),
            client_id_lookup="fetch_order",
            # allowMaxTimeWindow (ms) with clientTimestamp on the HF order endpoints only: "if
            # clientTimestamp + allowMaxTimeWindow < the time the Gateway received the
            # message, the order fails" (kucoin.com/docs-new/rest/spot-trading/orders/
            # add-order): a gateway arrival check, not an engine deadline; the classic
            # /api/v1/orders ccxt uses has no such field. Not sent.
            order_deadline=RequestDeadline("none", "allowMaxTimeWindow", 0.0, 0.0),
            order_book_limits=(20, 100),
            notes="left the US in 2025; keys need a passphrase",
        ),
        "bitstamp": ExchangeProfile(
            name="bitstamp",
            ccxt_id="bitstamp",
            regions=("us", "eu", "global"),
            hosts=("www.bitstamp.net",),  # bitstamp.net/api, "https://www.bitstamp.net/api/v2/"
            symbol_format=SYMBOL_FORMATS["bitstamp"],
            streaming=False,  # ccxt.pro streams Bitstamp's book and trades, not tickers
            sandbox=False,
            ccxt_options={},
            client_id=ClientIdFormat(pattern=r"[A-Za-z0-9_\-:.]{1,180}", uuid_form="uuid"),
            client_id_lookup="fetch_order",
            # No order-deadline parameter: X-Auth-Timestamp must be within 150 s (API0017),
            # an authentication check; 500.016 "the request timed out before confirmation,
            # check the order status" (bitstamp.net/api, "Authentication", "Response codes").
            order_deadline=None,
        ),
        "bybit": ExchangeProfile(
            name="bybit",
            ccxt_id="bybit",
            # Bybit's terms exclude the US (403 from US addresses) and, since Bybit EU opened,
            # the EEA, whose customers it sends to Bybit EU (bybiteu): global only.
            regions=("global",),
            # bybit-exchange.github.io/docs/v5/rate-limit: api.bybit.com and api.bytick.com
            hosts=("api.bybit.com", "api.bytick.com"),
            symbol_format=SYMBOL_FORMATS["bybit"],
            streaming=True,
            sandbox=True,
            ccxt_options={
                "defaultType": "spot",
                "fetchMarkets": {
                    "types": ["spot"],
                    "usePrivateInstrumentsInfo": False,
                    "loadAllOptions": False,
                    "loadExpiredOptions": False,
                },
                # Unified trading account (every account since Bybit's 2024 migration):
                # spares the two account-info requests ccxt makes before private calls.
                "enableUnifiedMargin": False,
                "enableUnifiedAccount": True,
                "unifiedMarginStatus": 6,
                # get_order(order_id) uses fetch_order, which ccxt refuses on unified
                # accounts (ArgumentsRequired) unless told that Bybit only finds orders
                # among the account's last 500.
                "fetchOrder": {"acknowledged": True},
            },
            # orderLinkId: up to 36 characters; letters, digits, '-' and '_' (Bybit v5 docs).
            # ccxt's Bybit maps clientOrderId on create only; lookups pass orderLinkId through.
            client_id=ClientIdFormat(
                pattern=r"[A-Za-z0-9_\-]{1,36}", uuid_form="uuid", lookup_param="orderLinkId"
            ),
            client_id_lookup="open_closed",
            # /v5/order/history without orderStatus (fetch_closed_orders sends Filled, and
            # would miss a cancelled or PartiallyFilledCanceled order).
            finished_orders=("fetch_canceled_and_closed_orders",),
            # ccxt maps PartiallyFilledCanceled (v5; PARTIALLY_FILLED_CANCELLED in v3 spot) to
            # "closed" (ccxt issue #18685): a market or IOC order Bybit cancelled after a partial
            # fill (rejectReason EC_CancelForNoFullFill). It did not fill: CANCELED, with the
            # partial fill. Read from orderStatus rather than from filled < amount, which
            # cannot be compared for a market buy sized in USDT (qty in quote, fill in base).
            canceled_states={
                "orderStatus": ("PartiallyFilledCanceled", "PARTIALLY_FILLED_CANCELLED"),
            },
            # X-BAPI-RECV-WINDOW (ccxt's recvWindow option, ms): Bybit refuses a request that
            # arrives after its X-BAPI-TIMESTAMP plus the window (error 10002), checked on
            # arrival; no engine deadline is documented (bybit-exchange.github.io/docs/v5/
            # guide, /v5/error): not an engine deadline. ccxt's default of 5 s is the most
            # kept (no larger maximum found documented); a shorter timeout shortens it.
            order_deadline=RequestDeadline("ccxt_option", "recvWindow", 1.0, 5.0),
            notes="excludes the US (403) and the EEA, which Bybit EU (bybiteu) serves",
        ),
        "okx": ExchangeProfile(
            name="okx",
            ccxt_id="okx",
            # OKX docs v5 overview: customers registered on my.okx.com (EEA) must use
            # eea.okx.com, US customers (app.okx.com) us.okx.com; this host serves the rest.
            regions=("global",),
            hosts=("www.okx.com",),  # okx.com/docs-v5/en/#overview: REST https://www.okx.com
            symbol_format=SYMBOL_FORMATS["okx"],
            passphrase=True,
            streaming=True,
            sandbox=True,
            ccxt_options={"defaultType": "spot", "fetchMarkets": {"types": ["spot"]}},
            # clOrdId: 1 to 32 letters and digits (OKX v5 docs): a UUID goes in as 32 hex.
            client_id=ClientIdFormat(pattern=r"[A-Za-z0-9]{1,32}", uuid_form="hex32"),
            client_id_lookup="fetch_order",
            # expTime (header, Unix ms) on place/amend: "the request will not be processed if
            # the current system time of the server is after the expTime"
            # (okx.com/docs-v5/en/#overview-transaction-timeouts): a server check before
            # processing, not said to be enforced by the matching engine, so taken as none
            # (conservative). ccxt 4.5's OKX does not send it.
            order_deadline=RequestDeadline("none", "expTime", 0.0, 0.0),
            notes="keys need a passphrase; EEA customers use MyOKX (myokx), US customers OKX "
            "US (okxus)",
        ),
}


def _entity(family: ExchangeProfile, **own: Any) -> ExchangeProfile:
    """A row for another entity of ``family`` (its own hosts, regions and keys): ccxt makes
    it a subclass of the family's class, so the family's API rules (client ids, symbols,
    lookups, deadlines) carry over unless ``own`` says otherwise."""
    return replace(family, family=family.name, **own)


_ENTITIES: dict[str, ExchangeProfile] = {
    # Bybit EU (Bybit's guide, bybit-exchange.github.io/docs/v5/guide: "EEA users must use
    # https://api.bybit.eu"); its own registration and keys (error 81007 for Bybit EU keys
    # made elsewhere, docs/v5/error). ccxt: bybiteu(bybit). Same v5 API: orderLinkId, up to
    # 36 letters, digits, '-' and '_'; recvWindow as Bybit (the EU site documents no rule of
    # its own: unconfirmed, the family's taken). No EU test environment is documented, so no
    # sandbox. ccxt.pro streams its tickers (stream.bybit.eu).
    "bybiteu": _entity(
        _FAMILIES["bybit"],
        name="bybiteu",
        ccxt_id="bybiteu",
        regions=("eu",),
        hosts=("api.bybit.eu",),
        sandbox=False,
        notes="Bybit EU: EEA customers; its own host and keys (keys of bybit do not work here)",
    ),
    # MyOKX (OKX docs v5 overview, okx.com/docs-v5/en/#overview: users registered on
    # my.okx.com "must use" eea.okx.com; docs at my.okx.com/docs-v5/en/). Its own accounts
    # and keys with a passphrase. ccxt: myokx(okx), so OKX's clOrdId rule holds: 1 to 32
    # letters and digits (okx.com/docs-v5 place order; the EEA docs could not be read:
    # unconfirmed, the family's stricter rule is the safe reading). Websocket
    # wss://wseea.okx.com (ccxt.pro myokx). No EEA demo-trading host is documented: no sandbox.
    "myokx": _entity(
        _FAMILIES["okx"],
        name="myokx",
        ccxt_id="myokx",
        regions=("eu",),
        hosts=("eea.okx.com",),
        sandbox=False,
        notes="MyOKX: EEA customers; host eea.okx.com, its own accounts and keys; EUR markets",
    ),
    # OKX US (OKX docs v5 overview: US users, registered on app.okx.com, "must use"
    # us.okx.com; docs at app.okx.com/docs-v5/en/). Spot only, USD and USDT pairs, its own
    # keys with a passphrase. ccxt: okxus(okx): OKX's clOrdId rule (regional docs
    # unconfirmed). Websocket wss://wsus.okx.com (ccxt.pro okxus). No demo host: no sandbox.
    "okxus": _entity(
        _FAMILIES["okx"],
        name="okxus",
        ccxt_id="okxus",
        regions=("us",),
        hosts=("us.okx.com",),
        symbol_format=SYMBOL_FORMATS["okxus"],  # USD and USDT pairs: USD is not USDT here
        sandbox=False,
        notes="OKX US: US customers; host us.okx.com, spot only, its own keys",
    ),
    # Binance.US (github.com/binance-us/binance-us-api-docs rest-api.md: base endpoint
    # https://api.binance.us; recvWindow default 5,000 ms, max 60,000, checked on arrival).
    # Its own accounts and keys. ccxt: binanceus(binance). newClientOrderId: unique among
    # open orders, format not documented (unconfirmed): Binance spot's rule, the family's.
    # Real USD markets (BTCUSD) beside USDT ones: BTC-USD is BTCUSD, never a USDT stand-in. No
    # Binance.US test environment (ccxt's test URLs are Binance's own): no sandbox.
    "binanceus": _entity(
        _FAMILIES["binance"],
        name="binanceus",
        ccxt_id="binanceus",
        regions=("us",),
        hosts=("api.binance.us",),
        symbol_format=SYMBOL_FORMATS["binanceus"],  # BTCUSD and BTCUSDT: USD is not USDT here
        sandbox=False,
        notes="Binance.US: US customers; its own host and keys; USD and USDT markets",
    ),
}

PROFILES: Mapping[str, ExchangeProfile] = MappingProxyType(_FAMILIES | _ENTITIES)


def generic_profile(ccxt_id: str) -> ExchangeProfile:
    """The profile of an exchange without a row: ``ccxt:<id>``, regions unknown (global).

    Where ccxt's class for ``ccxt_id`` derives from one that has a row (``binanceusdm`` from
    ``binance``), the family's API rules apply: client ids, symbol format, lookups, deadlines,
    passphrase. Otherwise spot-only market loading is applied from ccxt's own options at
    creation (see ``spot_only_options``) and client ids pass unchanged unless they break the
    common rule. Either way ccxt decides the sandbox (a missing test URL is refused when
    asked) and websockets are not used.
    """
    name = f"ccxt:{ccxt_id}"
    family = family_of(ccxt_id)
    if family is not None:
        return replace(
            family,
            name=name,
            ccxt_id=ccxt_id,
            family=family.family or family.name,
            regions=("global",),
            hosts=(),
            sandbox=True,
            streaming=False,
            ccxt_options={},
            notes=f"a {family.ccxt_id} subclass in ccxt: {family.name}'s rules",
        )
    return ExchangeProfile(
        name=name,
        ccxt_id=ccxt_id,
        regions=("global",),
        # Unknown ahead: ccxt's unified BASE/QUOTE, and USDT tried where BTC/USD is missing.
        symbol_format=SymbolFormat(separator="/", usd_substitute="USDT"),
        sandbox=True,  # decided by ccxt itself: a missing test URL is refused when asked
        client_id_lookup="scan",
    )


def family_of(ccxt_id: str) -> ExchangeProfile | None:
    """The nearest row up ``ccxt_id``'s class inheritance in ccxt (None: no row there)."""
    by_ccxt_id = {profile.ccxt_id: profile for profile in PROFILES.values()}
    parent = ccxt_parent(ccxt_id)
    for _ in range(8):  # ccxt's hierarchies are one or two deep
        if parent is None:
            return None
        if parent in by_ccxt_id:
            return by_ccxt_id[parent]
        parent = ccxt_parent(parent)
    return None


def profile_for(name: str) -> ExchangeProfile:
    """The profile for a registered name, a ccxt id, or ``ccxt:<id>``."""
    key = exchange_key(name)
    if key.startswith("ccxt:"):
        key = key.removeprefix("ccxt:")
        return PROFILES.get(key) or generic_profile(key)
    return PROFILES.get(key) or generic_profile(key)


def spot_only_options(defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Options that make any ccxt exchange load spot markets only, from its own defaults.

    ccxt spells the choice two ways: ``options['fetchMarkets'] = {'types': [...]}`` or, in
    older exchanges, ``options['fetchMarkets'] = [...]``. Exchanges with neither list one kind.
    """
    result: dict[str, Any] = {}
    fetch_markets = defaults.get("fetchMarkets")
    if isinstance(fetch_markets, Mapping) and "types" in fetch_markets:
        result["fetchMarkets"] = {**fetch_markets, "types": ["spot"]}
    elif isinstance(fetch_markets, list):
        result["fetchMarkets"] = ["spot"]
    if "defaultType" in defaults:
        result["defaultType"] = "spot"
    return result
