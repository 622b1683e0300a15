"""Who may talk to the dashboard: foreign Host refused, cross-site posts refused, the token,
no secret on the page, and no start beyond loopback without a token."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from typer.testing import CliRunner

from powertrader_core.cli.app import app
from powertrader_core.web.security import Policy, check_bind, host_name, is_loopback
from tests.cassette_support import TEST_SECRETS
from tests.web.conftest import Dashboard, ServeFactory

TOKEN = "s3cret-dashboard-token-0123456789"


def _order(**fields: str) -> str:
    return json.dumps({"symbol": "BTC-USD", "side": "buy", "amount": "0.01", **fields})


# ---- the bind rule (pure) -------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "[::1]:80"])
def test_loopback_addresses_need_no_token(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "example.com"])
def test_beyond_loopback_refused_without_token(host: str) -> None:
    with pytest.raises(ValueError, match="--token"):
        check_bind(host, None)
    with pytest.raises(ValueError, match="--token"):
        Policy(host)
    check_bind(host, TOKEN)  # with a token it may


def test_a_short_token_is_refused() -> None:
    with pytest.raises(ValueError, match="16 characters"):
        check_bind("0.0.0.0", "short")


def test_host_name_strips_port_and_brackets() -> None:
    assert host_name("LocalHost:8000") == "localhost"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("::1") == "::1"
    assert host_name("evil.example.") == "evil.example"


def test_allowed_host_names_are_the_only_extra_ones() -> None:
    policy = Policy("192.168.1.20", TOKEN, extra_hosts=frozenset({"Trader.LAN"}))
    assert policy.host_allowed("trader.lan:8000") and policy.host_allowed("192.168.1.20:8000")
    assert not policy.host_allowed("localhost:8000")  # not what it listens on
    assert not policy.host_allowed("evil.example") and not policy.host_allowed(None)
    wildcard = Policy("0.0.0.0", TOKEN)
    assert wildcard.host_allowed("any.name")  # the token is what guards a wildcard bind


def test_policy_repr_shows_no_token() -> None:
    policy = Policy("127.0.0.1", TOKEN)
    assert TOKEN not in repr(policy) and policy.csrf_token not in repr(policy)


def test_serve_beyond_loopback_without_token_does_not_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POWERTRADER_SERVE_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "--token" in result.stderr and "POWERTRADER_SERVE_TOKEN" in result.stderr
    assert "dashboard:" not in result.stdout  # no URL: nothing listens


# ---- a running server ------------------------------------------------------------------------


async def _raw_get(dash: Dashboard, target: str) -> str:
    """The answer's head to a request line sent exactly as given (clients normalise paths)."""
    host, port = dash.host.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {dash.host}\r\nConnection: close\r\n\r\n"
                 .encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    writer.close()
    await writer.wait_closed()
    return head


async def test_foreign_host_header_is_refused(serve: ServeFactory) -> None:
    async with serve() as dash, httpx.AsyncClient(base_url=dash.url) as client:
        for path in ("/", "/api/state", "/api/events", "/static/dashboard.js"):
            answer = await client.get(path, headers={"Host": "rebind.attacker.example"})
            assert answer.status_code == 421, path
            assert "address it listens on" in answer.json()["error"]
        port = dash.host.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            assert (await client.get("/", headers={"Host": host})).status_code == 200, host


async def test_a_request_without_host_header_is_refused(serve: ServeFactory) -> None:
    async with serve() as dash:
        host, port = dash.host.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        await writer.drain()
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
    assert answer.startswith(b"HTTP/1.1 421"), answer[:80]


async def test_page_and_answers_carry_security_headers(serve: ServeFactory) -> None:
    async with serve() as dash, httpx.AsyncClient(base_url=dash.url) as client:
        page = await client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text  # no inline script: the policy allows none


async def test_cross_site_posts_are_refused(serve: ServeFactory) -> None:
    async with serve() as dash, httpx.AsyncClient(base_url=dash.url) as client:
        csrf = dash.policy.csrf_token
        json_type = {"Content-Type": "application/json"}
        refused = [
            # a plain HTML form on another site: no CSRF token, its own Origin
            await client.post(
                "/api/paper-orders",
                content="symbol=BTC-USD&side=buy&amount=1",
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
            ),
            # right token, but the browser says another site sent it
            await client.post("/api/paper-orders", content=_order(),
                              headers={**json_type, "X-CSRF-Token": csrf,
                                       "Origin": "http://evil.example"}),
            await client.post("/api/paper-orders", content=_order(),
                              headers={**json_type, "X-CSRF-Token": csrf,
                                       "Sec-Fetch-Site": "cross-site"}),
            # our own origin, no or a wrong token
            await client.post("/api/paper-orders", content=_order(),
                              headers={**json_type, "Origin": dash.origin}),
            await client.post("/api/paper-orders", content=_order(),
                              headers={**json_type, "Origin": dash.origin,
                                       "X-CSRF-Token": csrf[:-1] + "x"}),
        ]
        for answer in refused:
            assert answer.status_code == 403
            assert "cross-site" in answer.json()["error"]
        assert await dash.manager.journal.entries() == []  # nothing was placed

        placed = await client.post(
            "/api/paper-orders", content=_order(),
            headers={**json_type, "X-CSRF-Token": csrf, "Origin": dash.origin,
                     "Sec-Fetch-Site": "same-origin"},
        )
        assert placed.status_code == 200, placed.text
        order = placed.json()["order"]
        assert order["exchange"] == "paper" and order["status"] == "filled"
        (entry,) = await dash.manager.journal.entries()
        assert entry.client_order_id == order["client_order_id"]
        assert entry.state == "filled" and entry.exchange == "paper"


async def test_paper_orders_are_validated_and_paper_only(serve: ServeFactory) -> None:
    async with serve() as dash, httpx.AsyncClient(base_url=dash.url) as client:
        headers = {"Content-Type": "application/json", "X-CSRF-Token": dash.policy.csrf_token}
        negative = await client.post("/api/paper-orders", content=_order(amount="-1"),
                                     headers=headers)
        assert negative.status_code == 400 and "amount" in negative.json()["error"]
        no_price = await client.post("/api/paper-orders", content=_order(order_type="limit"),
                                     headers=headers)
        assert no_price.status_code == 400 and "price" in no_price.json()["error"]
        real = await client.post("/api/paper-orders", content=_order(exchange="simex"),
                                 headers=headers)
        assert real.status_code == 400 and "exchange" in real.json()["error"]
        not_json = await client.post("/api/paper-orders", content="amount=1",
                                     headers={**headers, "Content-Type": "text/plain"})
        assert not_json.status_code == 415
        huge = await client.post("/api/paper-orders", content=_order(note="x" * 100_000),
                                 headers=headers)
        assert huge.status_code == 413
        for body in ("[1, 2]", "{not json", '"buy"'):
            bad = await client.post("/api/paper-orders", content=body, headers=headers)
            assert bad.status_code == 400, body
        assert await dash.manager.journal.entries() == []
        assert "place_order" not in type(await dash.manager.get_exchange("simex")).knobs.calls


async def test_with_a_token_every_request_must_carry_it(serve: ServeFactory) -> None:
    async with serve(token=TOKEN) as dash, httpx.AsyncClient(base_url=dash.url) as client:
        for path in ("/", "/api/state", "/api/events", "/static/dashboard.css"):
            assert (await client.get(path)).status_code == 401, path
        wrong = await client.get("/api/state", headers={"Authorization": "Bearer " + "x" * 32})
        assert wrong.status_code == 401
        bearer = await client.get("/api/state", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200

        login = await client.get(f"/?token={TOKEN}")
        assert login.status_code == 303 and login.headers["location"] == "/"
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = await client.get("/")  # the client keeps the cookie, as a browser does
        assert page.status_code == 200 and TOKEN not in page.text
        assert (await client.get(f"/?token={'y' * 32}")).status_code == 401
        for path in ("//evil.example/", "/\\evil.example/"):  # no open redirect
            head = await _raw_get(dash, f"{path}?token={TOKEN}")
            assert head.startswith("HTTP/1.1 303") and "location: /evil.example/\r\n" in head


async def test_no_secret_reaches_the_page(serve: ServeFactory) -> None:
    async with serve(token=TOKEN) as dash, httpx.AsyncClient(
        base_url=dash.url, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        await dash.board.refresh_account()
        texts = [(await client.get(path)).text for path in ("/", "/api/state")]
        async with client.stream("GET", "/api/events") as events:
            async for line in events.aiter_lines():
                if line.startswith("data:"):
                    texts.append(line)
                    break
    state = json.loads(texts[1])
    assert {row["exchange"]: row["configured"] for row in state["health"]}["simex"] in (
        "yes", "not checked yet"
    )
    for text in texts:
        assert TOKEN not in text
        for secret in TEST_SECRETS.values():
            assert secret not in text


async def test_a_tab_that_vanishes_is_forgotten(serve: ServeFactory) -> None:
    """A browser that goes away mid-stream (closed, crashed, network gone) leaves no queue."""
    async with serve(exchanges=("paper",)) as dash:
        host, port = dash.host.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /api/events HTTP/1.1\r\nHost: {dash.host}\r\n\r\n".encode())
        await writer.drain()
        assert b"text/event-stream" in await reader.readuntil(b"\r\n\r\n")
        await reader.readuntil(b"\n\n")  # the snapshot
        assert dash.board.tabs == 1
        writer.transport.abort()  # no goodbye: a reset connection
        async with asyncio.timeout(5):
            while dash.board.tabs:  # noqa: ASYNC110 - the server notices on its own schedule
                await asyncio.sleep(0.05)
