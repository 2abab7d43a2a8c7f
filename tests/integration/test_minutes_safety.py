"""Published minutes on the real app against hostile text and heavy use: member text that tries to add
images, links or headings stays text; the PDF renderer fetches nothing; a long PDF renders off the event
loop, one at a time per member, and is kept once made; a guest reads only the minutes of the meeting they
were appointed to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from hub.models import Meeting, Member, Role
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import RunningHub

CHAIR, SECRETARY, MEMBER = "m001", "m007", "m002"
OTHER, GUEST = "branch-meeting", "g001"
POLICY = "default-src 'none'; style-src 'unsafe-inline'"
# A hang must fail the test, not the run; nothing asserts on how long anything took.
PATIENCE = httpx.Timeout(300)


async def hold(
    url: str,
    links: dict[str, str],
    motions: list[tuple[str, str]],
    edit: Callable[[str], str] | None = None,
) -> None:
    """A meeting where the member moves `motions`, the secretary drafts the minutes (and maybe edits
    the draft), and the chair approves them."""
    clients = {m: MeetingClient(url, links[m]) for m in (CHAIR, SECRETARY, MEMBER) if m in links}
    for client in clients.values():
        await client.connect()
        await client.join()
    chair, secretary = clients[CHAIR], clients[SECRETARY]
    await chair.ok("meeting.set_status", {"status": "open"})
    await chair.ok("meeting.set_status", {"status": "in_session"})
    for title, text in motions:
        await clients[MEMBER].ok("motion.submit", {"title": title, "text": text})
    await secretary.ok("minutes.draft", {})
    if edit is not None:
        drafted = (await secretary.ok("minutes.get", {}))["text"]
        await secretary.ok("minutes.edit", {"text": edit(drafted)})
    await chair.ok("minutes.approve", {"note": "Approved at the branch meeting of *10 April*."})
    for client in clients.values():
        await client.disconnect()


async def other_meeting(hub_server: RunningHub, guest: bool = False) -> dict[str, str]:
    """A second meeting of the demo's branch (with a guest appointed to it), and join links to it."""
    async with open_hub(hub_server.settings) as hub:
        if guest:
            await hub.save_member(Member(id=GUEST, name="Guest Speaker"))
        await hub.create_meeting(
            Meeting(
                id=OTHER,
                branch_id="intl",
                title="Branch meeting",
                starts_at=datetime.fromisoformat("2027-04-10T18:00:00+00:00"),
                time_zone="Europe/London",
                roles={GUEST: Role.MEMBER} if guest else {},
            )
        )
        members = [CHAIR, SECRETARY, MEMBER, *([GUEST] if guest else [])]
        return {m: await hub.issue_link(m, OTHER, timedelta(hours=1)) for m in members}


async def test_images_in_member_and_secretary_text_are_never_loaded(hub_server: RunningHub) -> None:
    titles = [
        "Tea ![t](/dev/zero)",
        "Lunch ![x](http://10.255.255.1/x.png)",
        "Supper ![y](file:///etc/passwd)",
    ]
    motions = [(title, f"We resolve {title} <img src=/dev/zero>") for title in titles]
    # The secretary's own Markdown stays Markdown, images included: they are shown as their alt text.
    own = "![Secretary zero](/dev/zero) ![Secretary private](http://10.255.255.1/y.png)"
    await hold(hub_server.url, hub_server.links, motions, edit=lambda drafted: f"{drafted}\n{own}\n")
    token = {"token": hub_server.links[MEMBER]}
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=PATIENCE) as http:
        page = await http.get(f"/minutes/{hub_server.meeting_id}.html", params=token)
        document = await http.get(f"/minutes/{hub_server.meeting_id}.pdf", params=token)
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith(POLICY)
    assert "<img" not in page.text and "<a " not in page.text
    for title in titles:
        assert f"Motion: {title}" in page.text
    assert "Secretary zero" in page.text and "Secretary private" in page.text
    assert "Approved at the branch meeting of *10 April*." in page.text
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    assert b"/Subtype /Image" not in document.content


async def test_a_forged_result_line_or_heading_is_text_in_the_motion_heading(hub_server: RunningHub) -> None:
    forged = ["Result: CARRIED by show of hands (for 99, against 0, abstain 0).", "## 9. Fake"]
    await hold(hub_server.url, hub_server.links, [(title, "Text.") for title in forged])
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=PATIENCE) as http:
        page = await http.get(
            f"/minutes/{hub_server.meeting_id}.html", params={"token": hub_server.links[MEMBER]}
        )
    assert page.status_code == 200
    for title in forged:
        assert f"<h3>Motion: {title}</h3>" in page.text
    assert "<h2>9. Fake" not in page.text and "<p>Result: CARRIED by show of hands (for 99" not in page.text


async def test_a_long_pdf_renders_off_the_loop_once_per_member_and_is_kept(hub_server: RunningHub) -> None:
    paragraph = "The branch discussed the item at some length and agreed to come back to it later.\n\n"
    long = ("# Minutes\n\n" + paragraph * 3000)[:199_000]
    await hold(hub_server.url, hub_server.links, [], edit=lambda _: long)
    elsewhere = MeetingClient(hub_server.url, (await other_meeting(hub_server))[CHAIR])
    await elsewhere.connect()
    await elsewhere.join()
    path, token = f"/minutes/{hub_server.meeting_id}.pdf", {"token": hub_server.links[MEMBER]}
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=PATIENCE) as http:
        first = asyncio.create_task(http.get(path, params=token))
        second = asyncio.create_task(http.get(path, params=token))
        done, _ = await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
        # The member's other request is refused at once while the first renders.
        (refused,) = done
        assert refused.result().status_code == 429
        assert "still being made" in refused.result().text
        (rendering,) = {first, second} - done
        # Meanwhile the process answers: a health check, and a command in another meeting.
        assert (await http.get("/healthz")).status_code == 200
        await elsewhere.ok("meeting.set_status", {"status": "open"})
        assert not rendering.done()
        made = await rendering
        assert made.status_code == 200 and made.content.startswith(b"%PDF")
        # Approved minutes never change: both of two requests at once get the kept copy.
        again = await asyncio.gather(http.get(path, params=token), http.get(path, params=token))
    assert [r.content for r in again] == [made.content, made.content]
    await elsewhere.disconnect()


async def test_a_guest_reads_only_the_minutes_of_their_meeting(hub_server: RunningHub) -> None:
    links = await other_meeting(hub_server, guest=True)
    await hold(hub_server.url, links, [("Guest motion", "Text.")])
    await hold(hub_server.url, hub_server.links, [])
    async with httpx.AsyncClient(base_url=hub_server.url, timeout=PATIENCE) as http:

        async def status(meeting_id: str, token: str, kind: str = "html") -> int:
            return (await http.get(f"/minutes/{meeting_id}.{kind}", params={"token": token})).status_code

        assert await status(OTHER, links[GUEST]) == 200
        assert await status(hub_server.meeting_id, links[GUEST]) == 403
        assert await status(hub_server.meeting_id, links[GUEST], "pdf") == 403
        # Members of the branch read every published meeting of it, whichever link they hold.
        assert await status(hub_server.meeting_id, links[MEMBER]) == 200
        assert await status(OTHER, hub_server.links[MEMBER]) == 200
