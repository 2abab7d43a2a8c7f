"""Motions on the agenda: the demo's AGM motions wait on their items, moved and seconded by the members
named in the sample data, and are put to the vote only once the chair takes their item up."""

from __future__ import annotations

from hub.demo import sample
from tests.client import joined
from tests.conftest import RunningHub

CHAIR, MEMBER = "m001", "m002"


async def test_the_demo_motions_wait_on_their_items_and_are_voted_with_them(agm_server: RunningHub) -> None:
    chair = await joined(agm_server, CHAIR)
    assert chair.meeting is not None
    names = {m["id"]: m["name"] for m in sample()["members"]}
    on = {mo["item_id"]: mo for mo in chair.meeting["motions"]}
    assert sorted(on) == ["a5", "a6", "a7"]
    first = on["a5"]
    assert first["title"] == "Votes for life for citizens living abroad"
    assert first["status"] == "seconded" and first["text"].startswith("This meeting notes that citizens")
    assert (first["mover_id"], first["mover_name"]) == ("m003", names["m003"])
    assert (first["seconder_id"], first["seconder_name"]) == ("m015", names["m015"])
    # The motion is the motion, not a document on its item.
    assert all(item["documents"] == [] for item in chair.meeting["agenda"])

    # Refused before its item whether or not the meeting is quorate yet.
    put = {"subject": {"kind": "motion", "motion_id": first["id"]}}
    refused = await chair.call("vote.open", put)
    assert refused["error"]["code"] == "motion.not_current_item"
    assert refused["error"]["details"] == {"motion_id": first["id"], "item_id": "a5"}
    await chair.ok("agenda.select", {"item_id": "a4"})
    assert (await chair.call("vote.open", put))["error"]["code"] == "motion.not_current_item"

    # Taken up with its item, it is ready to vote; a motion moved live now belongs to this item.
    await chair.ok(
        "meeting.set_standing_orders", {"standing_orders": {"quorum": {"kind": "number", "value": 1}}}
    )
    await chair.ok("meeting.set_status", {"status": "open"})
    await chair.ok("attendance.check_in")
    await chair.ok("agenda.select", {"item_id": "a5"})
    member = await joined(agm_server, MEMBER)
    live = await member.ok("motion.submit", {"title": "Thanks", "text": "Thanks to the movers."})
    await chair.wait_until(lambda c: any(mo["id"] == live["motion_id"] for mo in c.meeting["motions"]))  # type: ignore[index]
    assert next(mo for mo in chair.meeting["motions"] if mo["id"] == live["motion_id"])["item_id"] == "a5"
    opened = await chair.ok("vote.open", put)
    assert opened["vote_id"]
    await member.disconnect()
    await chair.disconnect()
