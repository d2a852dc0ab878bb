"""Several `salesforce-mcp serve --http` processes on one database (a SQLite file, or a fresh
PostgreSQL database on the server SALESFORCE_MCP_TEST_PG names) and one simulated org running in
its own process, set up with the `admin` commands exactly as an admin would: the shape of a team
deployment behind a load balancer, minus the balancer (the tests pick the instance per call)."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from harness import REPO_ROOT, SimControl, server_binary
from http_harness import HttpServer

SIM_CLIENT_ID = "3MVG9SimulatedOrgDemoConsumerKeyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz.sim"
LISTENING = re.compile(r"MCP over HTTP at (?P<url>http://127\.0\.0\.1:\d+)/mcp")


def simulated_org_binary() -> Path:
    """The simulated org on its own (`examples/simulated_org.rs`, built by `cargo test`)."""
    binary = server_binary()
    path = binary.parent / "examples" / "simulated_org"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `cargo build --examples`")
    return path


def backends() -> list[str]:
    """SQLite always; PostgreSQL when the test command started a server for it."""
    return ["sqlite", "postgres"] if os.environ.get("SALESFORCE_MCP_TEST_PG") else ["sqlite"]


def fresh_database(backend: str, workdir: Path) -> str:
    """The `--db` value: a file in `workdir`, or a new database on the test PostgreSQL server."""
    if backend == "sqlite":
        return str(workdir / "shared.db")
    server = os.environ["SALESFORCE_MCP_TEST_PG"]
    name = f"two_{uuid.uuid4().hex}"
    done = subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {name}"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"CREATE DATABASE failed: {done.stderr}"
    return server.rsplit("/", 1)[0] + "/" + name


@dataclass
class Cluster(SimControl):
    """The simulated org, the instances (each an HttpServer view of one process) and the people."""

    db: str
    org_url: str
    env: dict[str, str]
    workdir: Path
    tokens: dict[str, str] = field(default_factory=dict)
    instances: list[HttpServer] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def admin(self, *args: str, stdin: str = "") -> str:
        """Runs `salesforce-mcp --db DB admin ARGS...` and returns its output (fails on exit != 0)."""
        done = subprocess.run([str(server_binary()), "--db", self.db, "admin", *args], input=stdin,
                              capture_output=True, text=True, env=self.env, timeout=60)
        assert done.returncode == 0, f"admin {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def add_person(self, email: str) -> str:
        self.admin("user", "add", email)
        token = json.loads(self.admin("token", "create", email, "--json"))["token"]
        self.tokens[email] = token
        return token

    def start_instance(self) -> HttpServer:
        """Starts one more `serve --http 127.0.0.1:0` on the shared database."""
        n = len(self.processes)
        log = self.workdir / f"instance{n}.log"
        with log.open("w") as errlog:
            process = subprocess.Popen(
                [str(server_binary()), "--db", self.db, "serve", "--http", "127.0.0.1:0"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errlog, env=self.env)
        self.processes.append(process)
        deadline = time.monotonic() + 30
        while not (found := LISTENING.search(log.read_text())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"instance {n} did not start:\n{log.read_text()}")
            time.sleep(0.05)
        instance = HttpServer(found["url"], self.org_url, self.tokens, process.pid)
        self.instances.append(instance)
        return instance

    def kill(self, n: int) -> None:
        """kill -9: the instance stops wherever it is, without cleaning anything up."""
        os.kill(self.processes[n].pid, signal.SIGKILL)
        self.processes[n].wait(timeout=10)

    @property
    def control_url(self) -> str:
        """The simulated org runs alone: its control endpoints are at its own URL."""
        return self.org_url


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def start_cluster(workdir: Path, backend: str, instances: int = 2, env: dict[str, str] | None = None) -> Iterator[Cluster]:
    """The simulated org in its own process, the org app configured for it with `admin org set`,
    and `instances` servers sharing one database and one secrets key (as every instance must)."""
    shared_env = {
        **os.environ,
        "SALESFORCE_MCP_SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK": "1",
        "RUST_LOG": "warn",
        **(env or {}),
    }
    with ExitStack() as stack:
        org_log = workdir / "simulated-org.log"
        org = subprocess.Popen([str(simulated_org_binary())], stdin=subprocess.DEVNULL,
                               stdout=org_log.open("w"), stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        stack.callback(_stop, org)
        deadline = time.monotonic() + 20
        while not (found := re.search(r"simulated org at (\S+)", org_log.read_text())):
            if org.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the simulated org did not start:\n{org_log.read_text()}")
            time.sleep(0.05)
        cluster = Cluster(fresh_database(backend, workdir), found.group(1), shared_env, workdir)
        stack.callback(lambda: [_stop(p) for p in cluster.processes])
        cluster.admin("org", "set", "--client-id", SIM_CLIENT_ID, "--no-client-secret",
                      "--auth-base-url", cluster.org_url)
        for _ in range(instances):
            cluster.start_instance()
        yield cluster
