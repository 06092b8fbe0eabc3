"""The signed SMS webhook under load, beside two baselines started in the same run.

    python benchmarks/webhook.py [--database sqlite|postgres] [--clients 1,4,16] [--rate 100]
                                 [--seconds 1.5] [--rounds 3] [--workers 1] [--memory 0]

Targets, each a uvicorn process of its own on 127.0.0.1 with the same uvicorn settings as
``carevoice serve``:

- ``bare``: FastAPI answering every POST with a fixed TwiML document;
- ``signature``: checks Twilio's signature and parses the form, then answers the same document;
- ``carevoice``: ``carevoice serve`` on a fresh SQLite file or PostgreSQL schema.

Distinct people go through the home-care survey (7 messages each), every request signed as
Twilio signs it (``RequestValidator``). Requests are built and signed before the clock starts;
the client speaks HTTP/1.1 on raw keep-alive sockets so that it costs the 2-core machine as
little as possible. Closed loop at each number of clients (each client waits for its answer),
then open loop at a fixed offered rate, with ``/healthz`` asked every 10 ms meanwhile. Targets
alternate inside each round; figures are medians of the rounds. CPU per request is the server
process's (and its workers') user + system time from ``/proc/<pid>/stat``.

``--memory N`` afterwards sends N more messages to carevoice while ``carevoice worker`` runs
against the same database, and prints the resident memory of both.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_URL = "https://carevoice.example.org"
PATH = "/sms/twilio"
TOKEN = "bench-auth-token-0123456789abcdef"
OUR_NUMBER = "+447700900999"
SCRIPT = ["FEEDBACK", "1", "2", "3", "4", "Lovely carers", "Ring when late"]
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you.</Message></Response>'
TICK = os.sysconf("SC_CLK_TCK")
_people = itertools.count()


# --- the baseline servers (run in their own process by ``--serve``) ---------------------------


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post(PATH)
    async def inbound() -> Response:
        return Response(content=TWIML, media_type="application/xml")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def signature_app() -> FastAPI:
    app = FastAPI()
    validator = RequestValidator(TOKEN)

    @app.post(PATH)
    async def inbound(request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(PUBLIC_URL + PATH, form, signature):
            return Response(status_code=403)
        return Response(content=TWIML, media_type="application/xml")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_baseline(kind: str, port: int) -> None:
    import uvicorn

    app = bare_app() if kind == "bare" else signature_app()
    # The same settings as ``carevoice serve`` (access log included), so only the app differs.
    from bot.cli.main import HTTP_PARSER

    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=HTTP_PARSER)
    uvicorn.Server(config).run()


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Target:
    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path = ROOT  # ``python -m`` puts it first on the path: the code that runs
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Target:
        self.process = subprocess.Popen(
            [*self.command, "--port", str(self.port)], env=self.env, cwd=self.cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    if probe.recv(64).startswith(b"HTTP/1.1 200"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def pids(self) -> list[int]:
        assert self.process is not None
        return process_tree(self.process.pid)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())


def process_tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.extend(process_tree(int(child)))
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- requests ---------------------------------------------------------------------------------


def signed_request(person: int, step: int) -> bytes:
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": "AC" + "0" * 32,
        "From": f"+4477{person:08d}", "To": OUR_NUMBER, "Body": SCRIPT[step], "NumMedia": "0",
    }  # fmt: skip
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + PATH, form)
    body = urlencode(form).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Twilio-Signature: {signature}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def people_requests(count: int) -> list[list[bytes]]:
    """``count`` new people, each with the 7 signed messages of the survey, in order."""
    return [
        [signed_request(p, s) for s in range(len(SCRIPT))] for p in itertools.islice(_people, count)
    ]


HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[float, int]:
    started = time.perf_counter()
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return time.perf_counter() - started, status


@dataclass
class Run:
    latencies: list[float]
    errors: int
    seconds: float
    cpu: float
    health: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(1, len(self.latencies) + self.errors)

    def pct(self, q: float, values: list[float] | None = None) -> float:
        data = sorted(self.latencies if values is None else values)
        return 1000 * data[min(len(data) - 1, int(q * len(data)))] if data else float("nan")


async def closed_loop(target: Target, clients: int, seconds: float, cap: int) -> Run:
    """Each client takes people one after another and waits for every answer."""
    plans = [people_requests(max(2, cap // (clients * len(SCRIPT)))) for _ in range(clients)]
    latencies: list[float] = []
    errors = 0
    stop_at = 0.0

    async def client(plan: list[list[bytes]]) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
        try:
            for person in plan:
                for request in person:
                    if time.perf_counter() > stop_at:
                        return
                    took, status = await exchange(reader, writer, request)
                    if status == 200:
                        latencies.append(took)
                    else:
                        errors += 1
        finally:
            writer.close()

    cpu0 = target.cpu_seconds()
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(client(plan) for plan in plans))
    took = time.perf_counter() - started
    return Run(latencies, errors, took, target.cpu_seconds() - cpu0)


async def open_loop(target: Target, rate: float, seconds: float) -> Run:
    """Requests start at a fixed rate whatever the answers; /healthz is asked every 10 ms."""
    count = int(rate * seconds)
    crowd = people_requests(max(1, int(rate // 2)))  # a person's messages ~0.5 s apart
    order = [crowd[i % len(crowd)][(i // len(crowd)) % len(SCRIPT)] for i in range(count)]
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    health: list[float] = []
    errors = 0
    done = False

    async def send(request: bytes) -> None:
        nonlocal errors
        pair = idle.pop() if idle else await asyncio.open_connection("127.0.0.1", target.port)
        took, status = await exchange(*pair, request)
        idle.append(pair)
        if status == 200:
            latencies.append(took)
        else:
            errors += 1

    async def watch_health() -> None:
        pair = await asyncio.open_connection("127.0.0.1", target.port)
        while not done:
            took, _ = await exchange(*pair, HEALTHZ)
            health.append(took)
            await asyncio.sleep(0.01)
        pair[1].close()

    cpu0 = target.cpu_seconds()
    watcher = asyncio.create_task(watch_health())
    started = time.perf_counter()
    tasks = []
    for number, request in enumerate(order):
        delay = started + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(request)))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    took = time.perf_counter() - started
    done = True
    await watcher
    for _, writer in idle:
        writer.close()
    return Run(latencies, errors, took, target.cpu_seconds() - cpu0, health)


# --- the run ----------------------------------------------------------------------------------


@contextmanager
def database(kind: str, postgres: str) -> Iterator[str]:
    sys.path.insert(0, str(ROOT))
    from storage.db import in_schema, make_engine, scratch_schema
    from storage.migrate import upgrade

    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            yield url
        return
    with scratch_schema(postgres, "bench") as schema:
        engine = in_schema(postgres, schema)
        upgrade(engine)
        engine.dispose()
        yield f"{postgres}?options=-csearch_path%3D{schema}"


def targets(url: str, workers: int, tree: Path = ROOT, name: str = "carevoice") -> list[Target]:
    """The two baselines and carevoice (from ``tree``: another checkout gives a "before")."""
    from storage.crypto import generate_key

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    me = [sys.executable, str(Path(__file__).resolve()), "--serve"]
    service_env = {
        **env, "PYTHONPATH": str(tree), "CAREVOICE_DATABASE_URL": url,
        "CAREVOICE_SECRET_KEY": generate_key(), "CAREVOICE_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_FROM_NUMBER": OUR_NUMBER, "CAREVOICE_QUIET_HOURS": "",
        "CAREVOICE_TWILIO_API_URL": "http://127.0.0.1:9",
    }  # fmt: skip
    serve = [sys.executable, "-m", "bot.cli", "serve", "--workers", str(workers)]
    service = Target(name, serve, service_env, cwd=tree)
    if tree != ROOT:
        return [service]
    return [
        Target("bare", [*me, "bare"], env),
        Target("signature", [*me, "signature"], env),
        service,
    ]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cells(runs: list[Run]) -> str:
    """CPU ms, p50 and p99 (medians over the rounds) and the errors of all rounds."""
    cpu = median([r.cpu_ms for r in runs])
    p50, p99 = median([r.pct(0.5) for r in runs]), median([r.pct(0.99) for r in runs])
    return f"{cpu:>8.2f}{p50:>8.1f}{p99:>8.1f}{sum(r.errors for r in runs):>7}"


def report_closed(results: dict[tuple[str, int], list[Run]], clients: list[int]) -> None:
    print(f"\nclosed loop (median of {len(next(iter(results.values())))} rounds)")
    print(
        f"{'target':<11}{'clients':>8}{'req/s':>8}{'CPU ms':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'/bare':>7}{'/sig':>7}"
    )
    for count in clients:
        rate = {name: median([r.rate for r in results[(name, count)]]) for name in NAMES}
        for name in NAMES:
            runs = results[(name, count)]
            print(
                f"{name:<11}{count:>8}{rate[name]:>8.0f}{cells(runs)}"
                f"{rate[name] / rate['bare']:>7.2f}{rate[name] / rate['signature']:>7.2f}"
            )


def report_open(results: dict[str, list[Run]], rate: float) -> None:
    print(f"\nopen loop at {rate:.0f} requests/s offered, /healthz every 10 ms")
    print(
        f"{'target':<11}{'req/s':>8}{'CPU ms':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'hz p50':>8}{'hz p99':>8}{'hz max':>8}"
    )
    for name in NAMES:
        runs = results[name]
        print(
            f"{name:<11}{median([r.rate for r in runs]):>8.0f}{cells(runs)}"
            f"{median([r.pct(0.5, r.health) for r in runs]):>8.1f}"
            f"{median([r.pct(0.99, r.health) for r in runs]):>8.1f}"
            f"{median([r.pct(1.0, r.health) for r in runs]):>8.1f}"
        )
    print("(open loop: CPU ms per message includes the /healthz requests made meanwhile)")


NAMES = ["bare", "signature", "carevoice"]  # and "before" with --before


def memory(target: Target, url: str, messages: int) -> None:
    """``messages`` more through carevoice while ``carevoice worker`` runs; RSS of both."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker", "--every", "1"], env=target.env, cwd=target.cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        sent = 0
        started = time.monotonic()
        while sent < messages and time.monotonic() - started < 300:
            run = asyncio.run(closed_loop(target, 4, 30.0, min(2800, messages - sent)))
            sent += len(run.latencies) + run.errors
        time.sleep(2)  # the worker's next look at the outbox and the due conversations
        serve = [rss_mb(pid) for pid in target.pids()]
        print(f"\nmemory after {sent} messages in {time.monotonic() - started:.0f} s")
        print(f"  serve  RSS: {' + '.join(f'{m:.0f}' for m in serve)} MB (per process)")
        print(f"  worker RSS: {rss_mb(worker.pid):.0f} MB")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", choices=["bare", "signature"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop; 0 to skip")
    parser.add_argument("--seconds", type=float, default=1.5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="carevoice serve --workers")
    parser.add_argument("--memory", type=int, default=0, help="messages for the memory check")
    parser.add_argument(
        "--before", type=Path, help="another checkout of carevoice, measured alongside as 'before'"
    )
    args = parser.parse_args()
    if args.serve:
        serve_baseline(args.serve, args.port)
        return
    clients = [int(c) for c in args.clients.split(",") if c]
    with ExitStack() as stack:
        url = stack.enter_context(database(args.database, args.postgres))
        chosen = targets(url, args.workers)
        if args.before:
            other = stack.enter_context(database(args.database, args.postgres))
            chosen += targets(other, args.workers, args.before.resolve(), "before")
            NAMES.append("before")
        started = [t.start() for t in chosen]
        try:
            for target in started:  # warm-up, not counted: models, flows, connections
                asyncio.run(closed_loop(target, 2, 30.0, 4 * len(SCRIPT)))
            closed: dict[tuple[str, int], list[Run]] = {}
            opened: dict[str, list[Run]] = {}
            for _ in range(args.rounds):
                for count in clients:
                    for target in started:  # alternate targets inside each round
                        cap = int(8000 * args.seconds)
                        run = asyncio.run(closed_loop(target, count, args.seconds, cap))
                        closed.setdefault((target.name, count), []).append(run)
                if args.rate:
                    for target in started:
                        run = asyncio.run(open_loop(target, args.rate, args.seconds * 2))
                        opened.setdefault(target.name, []).append(run)
            print(
                f"database: {args.database}, carevoice workers: {args.workers}, "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            if closed:
                report_closed(closed, clients)
            if opened:
                report_open(opened, args.rate)
            if args.memory:
                memory(started[2], url, args.memory)
        finally:
            for target in started:
                target.stop()


if __name__ == "__main__":
    main()
