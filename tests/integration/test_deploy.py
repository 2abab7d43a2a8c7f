"""The production Redis configuration starts and keeps an append-only file."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from tests.conftest import free_port, require

CONF = Path(__file__).resolve().parents[2] / "deploy" / "redis.conf"


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
