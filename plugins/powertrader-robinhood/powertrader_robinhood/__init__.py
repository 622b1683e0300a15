"""PowerTrader's Robinhood exchange: the official Robinhood Crypto Trading API.

``RobinhoodExchange`` speaks the API (Ed25519-signed requests, a client-side rate limit,
Robinhood's errors mapped onto PowerTrader's); ``generate_keypair`` makes the keys it needs,
as does the ``powertrader robinhood keygen`` command.
"""

from __future__ import annotations

from powertrader_robinhood.exchange import RobinhoodExchange
from powertrader_robinhood.keys import KeyPair, generate_keypair, public_key_b64
from powertrader_robinhood.parsing import TradingPair
from powertrader_robinhood.ratelimit import TokenBucket
from powertrader_robinhood.signing import RobinhoodSigner

__all__ = [
    "KeyPair",
    "RobinhoodExchange",
    "RobinhoodSigner",
    "TokenBucket",
    "TradingPair",
    "generate_keypair",
    "public_key_b64",
]
