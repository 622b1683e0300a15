"""The profile table: what differs between ccxt exchanges, as data.

One :class:`ExchangeProfile` per mainstream exchange. ``CcxtExchange`` reads everything it
needs to know about an exchange from here, so a change in the world (a venue leaving a region,
a new client-id rule) is one edit in this table, never a new subclass. Exchanges without a row
are reachable as ``ccxt:<id>`` through :func:`generic_profile` (regions unknown: global).

Facts come from ``shared/reference/exchanges.md`` (regions, symbols) and from ccxt 4.5's
exchange definitions (sandbox URLs, market-loading options, which request parameters ccxt
sends). The ``ccxt_options`` of each row are merged into the ccxt instance's ``options`` and
decide which requests ``load_markets`` makes: only spot markets, since the contract trades spot.

Nothing here imports ccxt: the plugin's import stays cheap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from powertrader_core.kit import CANONICAL_FORMAT, SYMBOL_FORMATS, SymbolFormat, exchange_key

__all__ = [
    "PROFILES",
    "ClientIdFormat",
    "ExchangePaging",
    "ExchangeProfile",
    "RequestDeadline",
    "generic_profile",
    "profile_for",
    "spot_only_options",
]


@dataclass(frozen=True)
class ClientIdFormat:
    """What an exchange accepts as a client order id, and how ours is made to fit.

    ``pattern`` is the exchange's rule for the whole id. An id that does not fit is converted
    deterministically (the same request always gives the same exchange id, which is what makes
    reconciliation by client id work): a UUID becomes ``uuid_form``; anything else becomes a
    UUID5 of it, written in ``uuid_form``.

    - ``uuid_form="uuid"``: ``8-4-4-4-12`` with dashes (36 characters).
    - ``uuid_form="hex32"``: the same 128 bits as 32 lower-case hex digits, no dashes.
    """

    pattern: str = r"[A-Za-z0-9_\-:.]{1,64}"
    uuid_form: Literal["uuid", "hex32"] = "uuid"
    #: The ccxt parameter carrying it in create_order (ccxt maps it to the exchange's field).
    param: str = "clientOrderId"
    #: The parameter for finding orders by it, where ccxt does not map ``param`` there and the
    #: exchange's own field name must be passed through (None: the same as ``param``).
    lookup_param: str | None = None

    def accepts(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class ExchangePaging:
    """How a ``"scan"`` lookup pages through an order list the exchange cannot filter by
    client id (``lookup.py``: an incomplete search is not proof of absence).

    Each page asks ``page_size`` orders (ccxt's ``limit``); the next page is asked with
    ``cursor_param`` set to the cursor ccxt left in an order's raw answer under
    ``cursor_key`` (default: the same name). Without a cursor rule, a full page means more
    may exist. At most ``max_pages`` pages are read per list; when orders remain after them
    the lookup says "unknown", never "absent".
    """

    page_size: int = 100
    max_pages: int = 10
    cursor_param: str | None = None
    cursor_key: str | None = None


@dataclass(frozen=True)
class RequestDeadline:
    """How an exchange can be told to refuse an order request that reaches it too late, and
    whether its matching engine enforces that.

    Why: a request that timed out on our side may still be in the network or in the
    exchange's queue. Reconciliation may resend an order only when it provably is not at the
    exchange and can no longer get there: that takes a deadline the **matching engine**
    enforces (``engine=True``: Kraken's AddOrder ``deadline``). ``CcxtExchange.engine_deadline``
    reports it to the manager, which journals it with the intent and proves absence only after
    it. A window checked when the request **arrives** (``engine=False``: Binance's and Bybit's
    ``recvWindow``, KuCoin's ``allowMaxTimeWindow``, OKX's ``expTime``, which the docs describe
    as a server check before processing, not an engine deadline) is still sent where wired, as
    it narrows the window, but proves nothing: an order whose answer was lost there stays
    ``unknown`` until found or settled by the user.

    The deadline is the configuration's ``order_deadline`` (default: its ``timeout``), capped
    by the manager's exchange timeout, from the moment of sending, within ``min_seconds`` and
    ``max_seconds``:

    - ``where="order_param"``: an absolute RFC 3339 time in the order request's ``name``
      parameter, passed through ccxt's ``params`` (Kraken's AddOrder ``deadline``);
    - ``where="ccxt_option"``: ccxt's option ``name`` in milliseconds, which ccxt sends with
      every signed request (Binance's and Bybit's ``recvWindow``);
    - ``where="none"``: documented here, not sent (ccxt 4.5 has no way to send it).
    """

    where: Literal["order_param", "ccxt_option", "none"]
    name: str
    min_seconds: float
    max_seconds: float
    #: Enforced by the matching engine: after it, the order cannot appear.
    engine: bool = False

    def seconds(self, wanted: float) -> float:
        """The deadline, in seconds from sending, for ``wanted`` seconds (the setting)."""
        return min(max(wanted, self.min_seconds), self.max_seconds)

    def until(self, now: float, wanted: float) -> float:
        """An ``order_param`` deadline as epoch seconds: a whole second (the documented form),
        rounded up so never shorter than asked, unless that would pass the exchange's longest
        (Kraken: now + 60 s): then down."""
        until = float(math.ceil(now + self.seconds(wanted)))
        if until > now + self.max_seconds:
            until = float(math.floor(now + self.max_seconds))
        return until


#: How ``get_order(client_order_id=...)`` finds an order on an exchange:
#: ``"fetch_order"`` passes the client id to ccxt's ``fetch_order``; ``"open_closed"`` asks the
#: open and then the finished orders filtered by the client id (ccxt passes it to the
#: exchange); ``"scan"`` lists open and finished orders and matches locally, page by page
#: (``ExchangePaging``; a search cut off by its bound is "unknown", never "absent").
#:
#: The status-filter trap: a lookup by client id decides whether an order whose answer was lost
#: reached the exchange at all. If it misses an order, reconciliation concludes "never arrived"
#: and may send it again: a double order. So the finished orders must be listed WITHOUT a status
#: filter: an order cancelled (by the user, by IOC, or Bybit's ``PartiallyFilledCanceled``
#: after a partial fill), expired or rejected counts as much as a filled one. ccxt's
#: ``fetch_closed_orders`` filters on some exchanges (Bybit ``orderStatus=Filled``, Coinbase
#: ``order_status=FILLED``): ``ExchangeProfile.finished_orders`` names the ccxt methods that do
#: not. The ``"fetch_order"`` exchanges look the id up directly, whatever the state: Binance
#: ``origClientOrderId``, KuCoin ``/order/client-order/{clientOid}``, OKX ``clOrdId``, Bitstamp
#: ``order_status`` with ``client_order_id``.
ClientIdLookup = Literal["fetch_order", "open_closed", "scan"]


@dataclass(frozen=True)
class ExchangeProfile:
    """One exchange's differences, read by ``CcxtExchange``.

    - ``name``: our registered name (``kraken``); ``ccxt_id`` the ccxt class (``kraken``).
    - ``regions``: where it may be used (``us``, ``eu``, ``global``).
    - ``symbol_format``: the exchange's symbol facts, the core's own row
      (:data:`powertrader_core.kit.SYMBOL_FORMATS`; declared on the exchange class):
      ``usd_substitute``, the stable coin quoted for ``X-USD`` where no USD market exists
      (:class:`MarketData` reports the market really quoted in ``quoted_symbol``), and
      ``aliases``, canonical asset -> the exchange's own code (Kraken's ``XBT``; ccxt already
      unifies these, they are accepted in symbols and balances).
    - ``passphrase``: API keys come with a passphrase (ccxt's ``password``).
    - ``streaming``: ccxt.pro pushes tickers over websockets for this exchange.
    - ``sandbox``: ccxt knows a test environment (``set_sandbox_mode``).
    - ``ccxt_options``: merged into ccxt's ``options``: spot-only market loading and account
      facts that spare requests ccxt would otherwise make on every call.
    - ``client_id``: the exchange's client-order-id rule; ``client_id_lookup`` how an order is
      found again by it; ``finished_orders`` the ccxt methods listing finished orders of every
      status for that lookup (see ``ClientIdLookup``).
    - ``paging``: how ``"scan"`` lookups page through order lists (see ``ExchangePaging``).
    - ``client_id_keys``: fields of the exchange's own answer that carry the order's client id,
      read before ccxt's ``clientOrderId`` where ccxt reads the wrong field;
      ``client_id_placeholders``: values that mean "no client id" (Kraken's ``userref`` 0).
    - ``canceled_states``: states of the exchange's own answer (field -> state words) that
      ccxt files under ``closed`` although the order ended without a full fill; the plugin
      reports them ``CANCELED`` with the partial ``filled_amount`` (see the Bybit row).
      Checked against ccxt 4.5's ``parse_order_status`` of the other rows: Kraken
      (``canceled``/``expired``), Binance (``EXPIRED``, ``EXPIRED_IN_MATCH``: ``expired``),
      OKX (``canceled``), Coinbase (``CANCELLED``, ``EXPIRED``) and KuCoin's classic API
      (``cancelExist``) report a partial fill that was cancelled as cancelled already; KuCoin's
      unified API (status 6, "partial canceled" -> ``closed``) would need a row entry, but the
      profile uses the classic API (``uta`` off). Bitstamp's ``Finished`` is taken as filled.
    - ``order_deadline``: how the exchange is told to refuse a late order request (see
      ``RequestDeadline``); None where it cannot be.
    - ``market_buy_needs_price``: market BUYs are sized in the quote currency, so ccxt needs a
      price to turn our base amount into the amount to spend (see the Coinbase row). For
      ``ccxt:<id>`` exchanges ccxt's own ``createMarketBuyOrderRequiresPrice`` option decides.
    - ``fetch_tickers``: ``get_market_data_batch`` may use one ``fetch_tickers`` request.
    - ``order_book_limits``: the book sizes the exchange accepts.
    - ``stop_param``: the ccxt parameter carrying a stop order's trigger.
    """

    name: str
    ccxt_id: str
    regions: tuple[str, ...] = ("global",)
    symbol_format: SymbolFormat = CANONICAL_FORMAT
    passphrase: bool = False
    streaming: bool = False
    sandbox: bool = False
    ccxt_options: Mapping[str, Any] = field(default_factory=dict)
    client_id: ClientIdFormat = field(default_factory=ClientIdFormat)
    client_id_lookup: ClientIdLookup = "open_closed"
    #: ccxt methods listing the account's finished orders, whatever their status, for
    #: ``"open_closed"``/``"scan"`` lookups; None: chosen from ccxt's ``has`` at run time.
    finished_orders: tuple[str, ...] | None = None
    paging: ExchangePaging = field(default_factory=ExchangePaging)
    client_id_keys: tuple[str, ...] = ()
    client_id_placeholders: tuple[str, ...] = ()
    canceled_states: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    order_deadline: RequestDeadline | None = None
    market_buy_needs_price: bool = False
    fetch_tickers: bool = True
    #: Book sizes the exchange accepts (the smallest that covers the depth is asked); None:
    #: any depth; empty: send no limit.
    order_book_limits: tuple[int, ...] | None = None
    #: The ccxt parameter that carries a stop order's trigger price.
    stop_param: str = "triggerPrice"
    notes: str = ""


_UUID_OR_SHORT = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

PROFILES: Mapping[str, ExchangeProfile] = MappingProxyType(
    {
        "kraken": ExchangeProfile(
            name="kraken",
            ccxt_id="kraken",
            regions=("us", "eu", "global"),
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
            # ccxt falls back to the integer userref when cl_ord_id is missing: its default 0
            # is no client id.
            client_id_keys=("cl_ord_id",),
            client_id_placeholders=("0",),
            # ccxt's Kraken reads stop-loss triggers from stopLossPrice (ordertype stop-loss).
            stop_param="stopLossPrice",
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
            regions=("eu", "global"),
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
            # newClientOrderId: ^[.A-Z:/a-z0-9_-]{1,36}$ (Binance spot API docs).
            client_id=ClientIdFormat(pattern=r"[.A-Z:/a-z0-9_\-]{1,36}", uuid_form="uuid"),
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
            symbol_format=SYMBOL_FORMATS["coinbase"],
            streaming=True,
            sandbox=False,
            # Advanced Trade (v3) markets, public endpoint.
            ccxt_options={"fetchMarkets": "fetchMarketsV3", "fetchTickers": "fetchTickersV3"},
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
            regions=("eu", "global"),
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
            regions=("eu", "global"),
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
            notes="excludes the US and some other places; US addresses get 403",
        ),
        "okx": ExchangeProfile(
            name="okx",
            ccxt_id="okx",
            regions=("eu", "global"),
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
            notes="a separate US venue exists since 2025 (app.okx.com, spot only); keys need a "
            "passphrase",
        ),
    }
)


def generic_profile(ccxt_id: str) -> ExchangeProfile:
    """The profile of an exchange without a row: ``ccxt:<id>``, regions unknown (global).

    Spot-only market loading is applied from ccxt's own options at creation (see
    ``spot_only_options``); client ids pass unchanged unless they break the common rule.
    """
    return ExchangeProfile(
        name=f"ccxt:{ccxt_id}",
        ccxt_id=ccxt_id,
        regions=("global",),
        # Unknown ahead: ccxt's unified BASE/QUOTE, and USDT tried where BTC/USD is missing.
        symbol_format=SymbolFormat(separator="/", usd_substitute="USDT"),
        sandbox=True,  # decided by ccxt itself: a missing test URL is refused when asked
        client_id_lookup="scan",
    )


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
