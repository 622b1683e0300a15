"""A key goes only to a host configured in the same source as the key.

Fields merge across sources (environment, ``.env``, encrypted file, plain file), so without
this rule a ``credentials/kraken_config.json`` planted in the working directory holding only
``{"base_url": "http://elsewhere"}`` would send the key from the environment, and every signed
request, to that host. An endpoint override (``base_url``, ``ws_url``, ``hostname``, a proxy)
must therefore come from the very source that holds the credentials; from anywhere else it is
refused, naming both sources. Without an override the exchange's own host is used, which is
always allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from powertrader_core.errors import ConfigurationError

__all__ = ["check_endpoint_sources", "is_endpoint_field", "source_of"]

_ENDPOINT = re.compile(r"(url|host|proxy|proxies|endpoint|domain|origin)", re.I)


def is_endpoint_field(name: str) -> bool:
    """Whether a configuration field chooses where requests go."""
    return bool(_ENDPOINT.search(name))


def source_of(label: str) -> str:
    """The source a value's label names: ``the environment``, ``.env file X``, ``file X``.

    A process variable (``$KRAKEN_API_KEY``) and the same variable read from a ``.env`` file
    (``$KRAKEN_API_KEY from /path/.env``) are different sources: either file may be planted.
    """
    if label.startswith("$"):
        _, _, dotenv = label.partition(" from ")
        return f".env file {dotenv}" if dotenv else "the environment"
    return label


def check_endpoint_sources(
    exchange: str, labels: Mapping[str, str], credential_fields: Iterable[str]
) -> None:
    """``ConfigurationError`` when an endpoint comes from another source than the credentials."""
    credentials = [labels[name] for name in credential_fields if name in labels]
    if not credentials:
        return  # no key to send anywhere: public data may go through any endpoint
    key_source = source_of(credentials[0])
    for name in sorted(labels):
        if not is_endpoint_field(name):
            continue
        endpoint_source = source_of(labels[name])
        if endpoint_source != key_source:
            raise ConfigurationError(
                f"refusing {name} from {endpoint_source}: the credentials come from "
                f"{key_source}, and a key goes only to a host set beside it "
                f"(move {name} there, or remove it)",
                exchange=exchange,
                operation="load_exchange_config",
            )
