"""The programme feed: the meeting as a viewer of its livestream sees and hears it (hub/programme.py says
what is on screen), composed from the relay's incoming encoded streams, encoded once to H.264 and AAC
and written to several outputs (live HLS, the recording).

- `overlay`: the bands of text (agenda item, caption, vote) and the name card, drawn with Pillow once per
  text and kept as yuv420p planes.
- `compose`: the layout of the picture, the source scaled into it by a libavfilter graph, bands copied
  over whole rows.
- `mix`: the audio sources decoded, buffered, and mixed in lockstep on the feed's own clock.
- `encode`: the encoders, held in a container that is never written.
- `outputs`: the containers the packets go to, each failing on its own.
- `pipeline`: all of it on one clock, synchronous and without sockets, driven tick by tick.

Everything here blocks and holds the state of one livestream: it belongs in a process of its own, never
on the hub's event loop (opening an output holds the GIL, and the decoders read what members send; see
docs/livestream.md).
"""
