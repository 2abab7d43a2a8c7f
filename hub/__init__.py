"""The meeting hub: the domain (pure rules), the store and the command line."""
