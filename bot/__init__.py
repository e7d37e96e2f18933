"""The Teams boundary: the aiohttp app, inbound authentication, routing, and (in
`bot/adapter.py` only) the Bot Framework SDK."""
