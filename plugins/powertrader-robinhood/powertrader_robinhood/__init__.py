"""PowerTrader's Robinhood exchange: the official Robinhood Crypto Trading API.

``RobinhoodExchange`` speaks the API (Ed25519-signed requests, the core's rate limiter on
Robinhood's documented budget, Robinhood's errors mapped onto PowerTrader's);
``generate_keypair`` makes the keys it needs, as does the ``powertrader robinhood keygen``
command.
"""

from __future__ import annotations

from powertrader_robinhood.budget import BUDGET
from powertrader_robinhood.exchange import RobinhoodExchange
from powertrader_robinhood.keys import KeyPair, generate_keypair, public_key_b64
from powertrader_robinhood.parsing import TradingPair
from powertrader_robinhood.signing import RobinhoodSigner

__all__ = [
    "BUDGET",
    "KeyPair",
    "RobinhoodExchange",
    "RobinhoodSigner",
    "TradingPair",
    "generate_keypair",
    "public_key_b64",
]
