"""Signing: the published test vector, and signatures over exactly the bytes sent."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from powertrader_robinhood import KeyPair, RobinhoodExchange, RobinhoodSigner

from powertrader_core import OrderRequest
from tests.robinhood.conftest import FakeRobinhood

# From the official documentation (see ../shared/reference/robinhood-crypto-api.md).
VECTOR_PRIVATE = "xQnTJVeQLmw1/Mg2YimEViSpw/SdJcgNXZ5kQkAXNPU="
VECTOR_PUBLIC = "jPItx4TLjcnSUnmnXQQyAKL4eJj3+oWNNMmmm2vATqk="
VECTOR_API_KEY = "rh-api-6148effc-c0b1-486c-8940-a1d099456be6"
VECTOR_SIGNATURE = (
    "q/nEtxp/P2Or3hph3KejBqnw5o9qeuQ+hYRnB56FaHbjDsNUY9KhB1asMxohDnzdVFSD7StaTqjSd9U9HvaRAw=="
)
# The documentation signed Python's str() of a dict, not JSON: sign that very text.
VECTOR_BODY = str({
    "client_order_id": "131de903-5a9c-4260-abc1-28d562a5dcf0",
    "side": "buy",
    "symbol": "BTC-USD",
    "type": "market",
    "market_order_config": {"asset_quantity": "0.1"},
})


def test_published_vector_passes_through_the_plugins_signer() -> None:
    assert VECTOR_BODY.startswith("{'client_order_id': '131de903")
    signer = RobinhoodSigner(VECTOR_API_KEY, VECTOR_PRIVATE)
    signature = signer.sign(1698708981, "/api/v1/crypto/trading/orders/", "POST", VECTOR_BODY)
    assert signature == VECTOR_SIGNATURE
    assert signer.headers(1698708981, "/api/v1/crypto/trading/orders/", "post",
                          VECTOR_BODY.encode())["x-signature"] == VECTOR_SIGNATURE


def test_vector_with_64_byte_key_signs_the_same() -> None:
    seed = base64.b64decode(VECTOR_PRIVATE)
    long_key = base64.b64encode(seed + base64.b64decode(VECTOR_PUBLIC)).decode()
    signer = RobinhoodSigner(VECTOR_API_KEY, long_key)
    assert signer.sign(1698708981, "/api/v1/crypto/trading/orders/", "POST",
                       VECTOR_BODY) == VECTOR_SIGNATURE


def test_signer_repr_shows_no_key() -> None:
    signer = RobinhoodSigner(VECTOR_API_KEY, VECTOR_PRIVATE)
    assert repr(signer) == "<RobinhoodSigner>"
    assert VECTOR_API_KEY not in repr(signer)


def _verify(request: httpx.Request, api_key: str, public_b64: str) -> None:
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))
    path = request.url.raw_path.decode()
    message = (api_key + request.headers["x-timestamp"] + path + request.method).encode()
    message += request.content
    public.verify(base64.b64decode(request.headers["x-signature"]), message)  # raises if bad


async def test_get_with_repeated_and_comma_query_is_signed_as_sent(
    fake_exchange: RobinhoodExchange, fake: FakeRobinhood, config: dict[str, str],
    keypair: KeyPair,
) -> None:
    fake.json("GET", "/api/v1/crypto/marketdata/best_bid_ask/", {"results": [
        {"symbol": s, "price": "2", "bid_inclusive_of_sell_spread": "1",
         "ask_inclusive_of_buy_spread": "3", "timestamp": None} for s in ("BTC-USD", "ETH-USD")]})
    await fake_exchange.get_market_data_batch(["BTC-USD", "ETH-USD"])
    request = fake.requests[-1]
    assert request.url.raw_path == (
        b"/api/v1/crypto/marketdata/best_bid_ask/?symbol=BTC-USD&symbol=ETH-USD"
    )
    assert request.headers["x-api-key"] == config["api_key"]
    assert request.headers["x-timestamp"].isdigit()
    _verify(request, config["api_key"], keypair.public_key)


async def test_post_body_signed_is_the_body_sent(
    fake_exchange: RobinhoodExchange, fake: FakeRobinhood, config: dict[str, str],
    keypair: KeyPair,
) -> None:
    order = {"id": "6d7f3c1e-2b8a-4c55-9e1f-0a6b2d4c8e11", "state": "open", "type": "market",
             "side": "buy", "symbol": "BTC-USD", "market_order_config": {"asset_quantity": "0.1"}}
    fake.json("POST", "/api/v1/crypto/trading/orders/", order, status=201)
    await fake_exchange.place_order(OrderRequest("BTC-USD", "buy", "0.1"))
    request = fake.posts[0]
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content)["market_order_config"] == {"asset_quantity": "0.10000000"}
    _verify(request, config["api_key"], keypair.public_key)
    with pytest.raises(InvalidSignature):
        # The same signature over a re-serialised body (spaces) must not verify.
        tampered = json.dumps(json.loads(request.content)).encode()
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(keypair.public_key))
        message = (config["api_key"] + request.headers["x-timestamp"]
                   + request.url.raw_path.decode() + "POST").encode() + tampered
        public.verify(base64.b64decode(request.headers["x-signature"]), message)
