"""Media relay: forwards participants' encoded audio and video between aiortc peer connections."""
