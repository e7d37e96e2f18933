"""Run an aiohttp app on 127.0.0.1 with a port the OS picks."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


@asynccontextmanager
async def serve(
    app: web.Application,
    *,
    shutdown_timeout: float = 2.0,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT``, ``https://`` with `ssl_context`)
    while `app` serves."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"{'https' if ssl_context else 'http'}://{host}:{port}"
    finally:
        await runner.cleanup()
