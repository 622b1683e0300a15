"""The simulated Kraken account: balances, and the orders placed, kept in Kraken's shapes.

Order records follow Kraken's "Query Orders Info" answer (``descr``, ``vol``, ``vol_exec``,
``cost``, ``fee``, ``price``, ``opentm``...) as recorded in ccxt's
``ts/src/test/static/response/kraken.json``; ``_cl_ord_id`` and ``_pair`` are the
simulator's own bookkeeping and are stripped from answers (``cl_ord_id`` is answered as
Kraken does).
"""

from __future__ import annotations

import itertools
import random
import string
import time
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.simulators.kraken import KrakenSimulator
    from tests.simulators.kraken_data import Pair

__all__ = ["DEADLINE_PASSED", "KrakenError", "OrderBookKeeper"]

#: The answer to an AddOrder processed after its ``deadline`` ("RFC3339 timestamp ... after
#: which the matching engine should reject the new order request, in presence of latency or
#: order queueing. min now() + 2 seconds, max now() + 60 seconds": docs.kraken.com/api/docs/
#: rest-api/add-order). The error is Kraken's documented one: "EService:Deadline elapsed: the
#: request timed out according to the default or specified deadline" (docs.kraken.com/api/
#: docs/guides/spot-errors).
DEADLINE_PASSED = "EService:Deadline elapsed"

#: Closed orders per ClosedOrders page, and txids QueryOrders takes (Kraken's REST docs).
CLOSED_ORDERS_PAGE = 50
QUERY_ORDERS_MAX = 50

_TAKER_FEE = Decimal("0.0040")
_MAKER_FEE = Decimal("0.0025")
_counter = itertools.count(1)


class KrakenError(Exception):
    """An answer in Kraken's error form: ``{"error": ["<class>:<message>"]}``."""


def _txid() -> str:
    rng = random.Random(next(_counter))
    letters = string.ascii_uppercase + string.digits
    parts = ["".join(rng.choice(letters) for _ in range(n)) for n in (6, 5, 6)]
    return "O" + parts[0][1:] + "-" + parts[1] + "-" + parts[2]


def _dec(params: dict[str, str], name: str) -> Decimal | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise KrakenError(f"EGeneral:Invalid arguments:{name}") from None


class OrderBookKeeper:
    """Orders and balances of the one simulated account."""

    def __init__(self, sim: KrakenSimulator) -> None:
        self.sim = sim
        self.orders: dict[str, dict[str, Any]] = {}

    # ---- balances -------------------------------------------------------------------------

    def _held(self) -> dict[str, Decimal]:
        held: dict[str, Decimal] = {}
        for order in self.orders.values():
            if order["status"] != "open":
                continue
            pair = self.sim.pair(order["_pair"])
            volume = Decimal(order["vol"]) - Decimal(order["vol_exec"])
            if order["descr"]["type"] == "buy":
                price = Decimal(order["descr"]["price"] or "0") or pair.ask
                held[pair.quote] = held.get(pair.quote, Decimal(0)) + volume * price
            else:
                held[pair.base] = held.get(pair.base, Decimal(0)) + volume
        return held

    def balance(self, params: dict[str, str]) -> dict[str, str]:
        return {code: f"{amount:.4f}" for code, amount in self.sim.balances.items()}

    def balance_ex(self, params: dict[str, str]) -> dict[str, dict[str, str]]:
        held = self._held()
        return {
            code: {"balance": f"{amount:.4f}", "hold_trade": f"{held.get(code, Decimal(0)):.4f}"}
            for code, amount in self.sim.balances.items()
        }

    def trade_balance(self, params: dict[str, str]) -> dict[str, str]:
        usd = self.sim.balances.get("ZUSD", Decimal(0))
        return {"eb": f"{usd:.4f}", "tb": f"{usd:.4f}", "m": "0.0000", "n": "0.0000",
                "c": "0.0000", "v": "0.0000", "e": f"{usd:.4f}", "mf": f"{usd:.4f}"}

    def trade_volume(self, params: dict[str, str]) -> dict[str, Any]:
        wanted = [p for p in params.get("pair", "").split(",") if p]
        fees: dict[str, Any] = {}
        fees_maker: dict[str, Any] = {}
        for name in wanted:
            pair = self._pair(name)
            fees[pair.key] = {"fee": "0.4000", "minfee": "0.1000", "maxfee": "0.4000",
                              "nextfee": "0.3500", "nextvolume": "10000.0000",
                              "tiervolume": "0.0000"}
            fees_maker[pair.key] = {"fee": "0.2500", "minfee": "0.0000", "maxfee": "0.2500",
                                    "nextfee": "0.2000", "nextvolume": "10000.0000",
                                    "tiervolume": "0.0000"}
        return {"currency": "ZUSD", "volume": "0.0000", "fees": fees, "fees_maker": fees_maker}

    def _pair(self, name: str) -> Pair:
        try:
            return self.sim.pair(name)
        except KeyError:
            raise KrakenError("EQuery:Unknown asset pair") from None

    # ---- orders ---------------------------------------------------------------------------

    def _check_deadline(self, params: dict[str, str]) -> None:
        """AddOrder's ``deadline``: an RFC 3339 time between now + 2 s (the simulator's
        ``deadline_min_seconds``) and now + 60 s when the request arrived; a request
        processed later than it is refused."""
        text = params.get("deadline")
        if not text:
            return
        try:
            deadline = datetime.fromisoformat(text)
        except ValueError:
            raise KrakenError("EGeneral:Invalid arguments:deadline") from None
        if deadline.tzinfo is None:
            raise KrakenError("EGeneral:Invalid arguments:deadline")
        now = time.time()
        arrived = float(params.get("_arrived_at") or now)
        too_soon = deadline.timestamp() < arrived + self.sim.deadline_min_seconds
        if too_soon or deadline.timestamp() > arrived + 60:
            raise KrakenError("EGeneral:Invalid arguments:deadline")
        if now > deadline.timestamp():
            raise KrakenError(DEADLINE_PASSED)

    def add_order(self, params: dict[str, str]) -> dict[str, Any]:
        self._check_deadline(params)
        pair = self._pair(params.get("pair", ""))
        side = params.get("type")
        ordertype = params.get("ordertype", "")
        if side not in ("buy", "sell"):
            raise KrakenError("EGeneral:Invalid arguments:type")
        if ordertype not in ("market", "limit", "stop-loss", "stop-loss-limit"):
            raise KrakenError("EGeneral:Invalid arguments:ordertype")
        volume = _dec(params, "volume")
        if volume is None or volume <= 0:
            raise KrakenError("EGeneral:Invalid arguments:volume")
        if volume < Decimal(pair.ordermin):
            raise KrakenError("EOrder:Order minimum not met")
        price = _dec(params, "price")
        price2 = _dec(params, "price2")
        if ordertype != "market" and price is None:
            raise KrakenError("EGeneral:Invalid arguments:price")
        reference = price if ordertype == "limit" and price is not None else (
            pair.ask if side == "buy" else pair.bid
        )
        self._check_funds(pair, side, volume, reference)
        txid = _txid()
        text = f"{side} {volume:.8f} {pair.altname} @ {ordertype}"
        if price is not None:
            text += f" {price}"
        now = time.time()
        order: dict[str, Any] = {
            "refid": None,
            "userref": 0,
            "cl_ord_id": params.get("cl_ord_id") or None,
            "status": "open",
            "opentm": now,
            "starttm": 0,
            "expiretm": 0,
            "descr": {
                "pair": pair.altname, "type": side, "ordertype": ordertype,
                "price": str(price) if price is not None else "0",
                "price2": str(price2) if price2 is not None else "0",
                "leverage": "none", "order": text, "close": "",
            },
            "vol": f"{volume:.8f}",
            "vol_exec": "0.00000000",
            "cost": "0.00000",
            "fee": "0.00000",
            "price": "0.00000",
            "stopprice": "0.00000",
            "limitprice": "0.00000",
            "misc": "",
            "oflags": params.get("oflags", "fciq"),
            "reason": None,
            "_pair": pair.key,
        }
        fill_price = pair.ask if side == "buy" else pair.bid
        marketable = ordertype == "market" or (
            ordertype == "limit" and price is not None
            and (price >= pair.ask if side == "buy" else price <= pair.bid)
        )
        if marketable:
            self._fill(order, pair, volume, fill_price, taker=True)
        self.orders[txid] = order
        return {"descr": {"order": text}, "txid": [txid]}

    def _check_funds(self, pair: Pair, side: str, volume: Decimal, price: Decimal) -> None:
        held = self._held()
        if side == "buy":
            free = self.sim.balances.get(pair.quote, Decimal(0)) - held.get(pair.quote, Decimal(0))
            needed = volume * price * (1 + _TAKER_FEE)
        else:
            free = self.sim.balances.get(pair.base, Decimal(0)) - held.get(pair.base, Decimal(0))
            needed = volume
        if needed > free:
            raise KrakenError("EOrder:Insufficient funds")

    def _fill(self, order: dict[str, Any], pair: Pair, volume: Decimal, price: Decimal,
              *, taker: bool) -> None:
        cost = volume * price
        fee = cost * (_TAKER_FEE if taker else _MAKER_FEE)
        order.update(
            status="closed", vol_exec=f"{volume:.8f}", cost=f"{cost:.5f}", fee=f"{fee:.5f}",
            price=f"{price:.5f}", closetm=time.time(), trades=[_txid().replace("O", "T", 1)],
        )
        sign = 1 if order["descr"]["type"] == "buy" else -1
        balances = self.sim.balances
        balances[pair.base] = balances.get(pair.base, Decimal(0)) + sign * volume
        balances[pair.quote] = balances.get(pair.quote, Decimal(0)) - sign * cost - fee

    def _public(self, txid: str, order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if not k.startswith("_")}

    def _by_ref(self, params: dict[str, str]) -> list[str]:
        txids = [t for t in params.get("txid", "").split(",") if t]
        cl_ord_id = params.get("cl_ord_id")
        if cl_ord_id:
            txids += [t for t, o in self.orders.items() if o.get("cl_ord_id") == cl_ord_id]
        return txids

    def cancel_order(self, params: dict[str, str]) -> dict[str, Any]:
        count = 0
        for txid in self._by_ref(params):
            order = self.orders.get(txid)
            if order is not None and order["status"] == "open":
                order.update(status="canceled", closetm=time.time(), reason="User requested")
                count += 1
        if count == 0:
            raise KrakenError("EOrder:Unknown order")
        return {"count": count}

    def query_orders(self, params: dict[str, str]) -> dict[str, Any]:
        # "txid: comma delimited list of transaction IDs to query info about (50 maximum)"
        # (docs.kraken.com/api/docs/rest-api/get-orders-info); Kraken documents no error
        # string for more: EGeneral:Invalid arguments, its answer to a bad argument.
        if len([t for t in params.get("txid", "").split(",") if t]) > QUERY_ORDERS_MAX:
            raise KrakenError("EGeneral:Invalid arguments:txid")
        return {
            txid: self._public(txid, self.orders[txid])
            for txid in self._by_ref(params)
            if txid in self.orders
        }

    def _filtered(self, params: dict[str, str], open_: bool) -> dict[str, Any]:
        cl_ord_id = params.get("cl_ord_id")
        result = {}
        for txid, order in self.orders.items():
            if (order["status"] == "open") != open_:
                continue
            if cl_ord_id and order.get("cl_ord_id") != cl_ord_id:
                continue
            result[txid] = self._public(txid, order)
        return result

    def open_orders(self, params: dict[str, str]) -> dict[str, Any]:
        return {"open": self._filtered(params, True)}

    def closed_orders(self, params: dict[str, str]) -> dict[str, Any]:
        """Kraken's paging: the most recent first, 50 a page, ``ofs`` the offset, ``start``
        an exclusive Unix time (docs.kraken.com/api/docs/rest-api/get-closed-orders);
        ``count`` is the number of closed orders matching, all pages together."""
        closed = self._filtered(params, False)
        start = float(params.get("start") or 0)
        matching = sorted(
            ((txid, o) for txid, o in closed.items()
             if max(o.get("opentm", 0), o.get("closetm", 0)) > start),
            key=lambda item: item[1].get("closetm", item[1]["opentm"]), reverse=True,
        )
        offset = int(params.get("ofs") or 0)
        page = dict(matching[offset:offset + CLOSED_ORDERS_PAGE])
        return {"closed": page, "count": len(matching)}
