"""A real redis-server (Debian's) for tests: a free loopback port, a password, no persistence, its own
folder; nothing listens without authentication."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    password: str

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_redis(folder: Path, timeout: float = 20.0) -> RedisServer:
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    for _ in range(5):  # a port taken between choosing and binding: choose again
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        conf = folder / "redis.conf"
        # The password in a 0600 file, not on the command line (ps shows arguments to every user).
        conf.write_text(f"requirepass {password}\n", encoding="utf-8")
        conf.chmod(0o600)
        process = subprocess.Popen(
            [REDIS_SERVER, str(conf), "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
             "--save", "", "--appendonly", "no", "--dir", str(folder), "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            server = RedisServer(process, port, password)
            try:
                if redis.Redis.from_url(server.url, socket_timeout=2).ping():
                    return server
            except redis.RedisError:
                time.sleep(0.1)
        process.kill()
        process.wait()
    raise RuntimeError("redis-server did not start")
