"""The deployment files: the production Redis configuration keeps an append-only file; nginx in front
proxies to the hub and keeps link tokens out of its access log."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from pathlib import Path

import httpx
import redis

from tests.client import MeetingClient
from tests.conftest import RunningHub, free_port, require

CONF = Path(__file__).resolve().parents[2] / "deploy" / "redis.conf"
NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
MEMBER = "m002"


def test_deploy_redis_conf_turns_on_the_append_only_file(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [require("redis-server"), str(CONF), "--port", str(port), "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        client.set("k", "v")
    finally:
        client.close()
        process.terminate()
        process.wait(10)
    assert any(tmp_path.rglob("*.aof*"))


async def test_deploy_nginx_conf_proxies_to_the_hub_and_logs_no_link_tokens(
    hub_server: RunningHub, tmp_path: Path
) -> None:
    """deploy/nginx.conf as shipped, with only its addresses and paths moved into this test's reach."""
    port = free_port()
    hub_port = hub_server.settings.port
    site = NGINX.read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"server 127\.0\.0\.1:800\d;\n", "", site)
    site = site.replace("ip_hash;", f"ip_hash;\n    server 127.0.0.1:{hub_port};")
    site = site.replace("/var/log/nginx/meeting-hub.log", str(tmp_path / "access.log"))
    site = site.replace("/var/log/nginx/meeting-hub.error.log", str(tmp_path / "site-error.log"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n  client_body_temp_path {tmp_path};\n  proxy_temp_path {tmp_path};\n"
        f"  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = require("nginx")
    checked = await asyncio.create_subprocess_exec(
        nginx, "-t", "-c", str(tmp_path / "nginx.conf"), stderr=asyncio.subprocess.PIPE
    )
    _, errors = await checked.communicate()
    assert checked.returncode == 0, errors.decode()
    process = await asyncio.create_subprocess_exec(nginx, "-c", str(tmp_path / "nginx.conf"))
    token = hub_server.links[MEMBER]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                try:
                    await http.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert (await http.get(f"/join/{token}")).status_code == 200
            assert (await http.get(f"/minutes/{hub_server.meeting_id}.html?token={token}")).status_code == 404
            # Socket.IO through the proxy, with its session id in the query.
            member = MeetingClient(f"http://127.0.0.1:{port}", token)
            await member.connect()
            await member.join()
            await member.disconnect()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
    log = (tmp_path / "access.log").read_text()
    assert "/join/[redacted]" in log and "/minutes/agm.html" in log
    assert token not in log and token[:20] not in log
    assert "sid=" not in log and "?" not in log
