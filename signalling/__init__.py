"""The real-time edge: the Starlette app, the Socket.IO gateway and (later) the media relay."""
