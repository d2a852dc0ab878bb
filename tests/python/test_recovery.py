"""Expired sessions and transient Salesforce failures are handled without bothering the person."""

from __future__ import annotations

from harness import Demo



async def test_an_expired_access_token_is_refreshed_once_and_the_query_succeeds(demo: Demo) -> None:
    await demo.ok("query_records", {"soql": "SELECT Id FROM Account LIMIT 1"})
    assert demo.refresh_grants() == [], "no refresh is needed while the access token is valid"

    demo.sim_post("/_sim/expire-access-tokens")
    page = await demo.ok("query_records", {"soql": "SELECT Id, Name FROM Account LIMIT 3"})
    assert page["returned"] == 3

    log = demo.sim_requests()
    assert len(demo.refresh_grants()) == 1, log
    assert any(r["status"] == 401 for r in log), "the expired token should have been refused once"
    after = await demo.ok("query_records", {"soql": "SELECT Id FROM Contact LIMIT 1"})
    assert after["returned"] == 1
    assert len(demo.refresh_grants()) == 1, "the refreshed token is reused"


async def test_a_transient_503_is_retried_for_a_read(demo: Demo) -> None:
    await demo.ok("connection_status")
    demo.sim_post("/_sim/requests/clear")
    demo.sim_post("/_sim/fail-next?count=1&status=503")
    page = await demo.ok("query_records", {"soql": "SELECT Id FROM Account LIMIT 1"})
    assert page["returned"] == 1
    statuses = [r["status"] for r in demo.sim_requests() if "/query" in r["path"]]
    assert statuses == [503, 200], "one failed attempt, then one retry that succeeded"
