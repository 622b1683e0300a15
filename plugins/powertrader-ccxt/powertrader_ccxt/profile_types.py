"""The types of the profile table (``profiles.py``): one exchange's differences, as data.

:class:`ExchangeProfile` is one row; :class:`ClientIdFormat`, :class:`ExchangePaging` and
:class:`RequestDeadline` are the rules it carries. Nothing here imports ccxt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from powertrader_ccxt.budgets import BUDGETS, VenueBudget
from powertrader_ccxt.key_formats import SecretFormat
from powertrader_core.kit import CANONICAL_FORMAT, SymbolFormat

__all__ = [
    "ClientIdFormat",
    "ClientIdLookup",
    "ExchangePaging",
    "ExchangeProfile",
    "RequestDeadline",
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
    #: Where the exchange pages by position instead (Kraken's ClosedOrders ``ofs``): the
    #: parameter taking the number of orders already read. Such a list is what a batched
    #: lookup of many client ids walks (``batch_lookup.py``).
    offset_param: str | None = None


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
    - ``family``: the row whose API this exchange speaks, where it is another (``myokx``:
      ``okx``; ccxt's class inheritance); its symbol and client-id rules apply. Empty: itself.
    - ``hosts``: the REST hosts the exchange's documentation gives this entity (its keys work
      there and nowhere else); informative, and checked against ccxt's URLs by the tests.
    - ``regions``: where it may be used (``us``, ``eu``, ``global``): who the entity serves.
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
    - ``paging``: how ``"scan"`` lookups, and batched lookups of many client ids, page
      through order lists (see ``ExchangePaging``); ``orders_per_query`` how many orders one
      request may ask for by id (reconcile reads many at once where it is set).
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
    - ``secret_format``: the form of the API secret (``text``, ``base64``,
      ``pem_or_ed25519``), checked by ``config validate``.
    """

    name: str
    ccxt_id: str
    regions: tuple[str, ...] = ("global",)
    family: str = ""
    hosts: tuple[str, ...] = ()
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
    #: Orders one request may ask for by the exchange's ids (ccxt's ``fetch_orders_by_ids``;
    #: Kraken's QueryOrders: 50); 0: one at a time.
    orders_per_query: int = 0
    market_buy_needs_price: bool = False
    fetch_tickers: bool = True
    #: Book sizes the exchange accepts (the smallest that covers the depth is asked); None:
    #: any depth; empty: send no limit.
    order_book_limits: tuple[int, ...] | None = None
    #: The ccxt parameter that carries a stop order's trigger price.
    stop_param: str = "triggerPrice"
    #: The form of the API secret (``key_formats.SecretFormat``), checked by ``config
    #: validate`` before anything is signed.
    secret_format: SecretFormat = "text"
    notes: str = ""

    @property
    def budget(self) -> VenueBudget | None:
        """The exchange's documented request budget (``budgets.py``, by ccxt id: a family
        member without figures of its own is listed there under the family's), or None."""
        return BUDGETS.get(self.ccxt_id)
