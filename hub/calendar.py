"""A member's upcoming meetings as an iCalendar feed (RFC 5545), for any calendar application."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from hub.home import Invitation, length


def feed(invited: list[tuple[Invitation, str]], now: datetime) -> bytes:
    """One event per meeting, with its join link; times in UTC so every calendar shows them in the
    reader's own zone, and the meeting's home zone named in the description."""
    calendar = Calendar()
    calendar.add("prodid", "-//Meeting hub//Upcoming meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "My meetings")
    for invitation, join_url in invited:
        meeting = invitation.meeting
        event = Event()
        # Stable across downloads, so a calendar updates the event instead of adding another.
        event.add("uid", f"{meeting.id}@meeting-hub")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + length(meeting))
        event.add("summary", f"{meeting.title} ({invitation.branch.name})")
        place = ""
        if meeting.series is not None:
            place = f"Meeting {meeting.series.number} of {meeting.series.of} in a series.\n"
            if meeting.series.id != meeting.id:
                # The series is named after its first meeting: the others are its siblings.
                event.add("related-to", f"{meeting.series.id}@meeting-hub", parameters={"RELTYPE": "SIBLING"})
        event.add("description", f"{place}Meeting time zone: {meeting.time_zone}.\nJoin: {join_url}")
        event.add("url", join_url)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
