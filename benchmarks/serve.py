"""Serve a generated blog on 127.0.0.1 with nginx (or a standard-library server in its own
process when nginx is missing), and measure how many requests per second the server sustains.

    python benchmarks/serve.py SITE [--server nginx|python] [--check]

nginx runs from a generated config (no access log, sendfile, keep-alive, HTML gzipped for the
clients that ask, as Debian's stock config does) as a child process;
every ``/wp-content/uploads/`` URL is answered with the site's one placeholder image; a missing
page answers 404 with ``/404.html``. ``throughput()`` fetches post pages with ``wrk`` when it is
installed, else with a pool of keep-alive ``http.client`` threads, so the benchmark can show that
the server is far faster than any crawler it serves.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NGINX_CONF = """\
worker_processes auto;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; image/jpeg jpg;
            application/xml xml; text/plain txt; application/json json; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    gzip {gzip};  # Debian's stock nginx.conf: on, level 1, text/html only
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        error_page 404 /404.html;
        location /wp-content/uploads/ {{ try_files $uri /wp-content/uploads/placeholder.jpg; }}
    }}
}}
"""


ACCEPT_ENCODING = "gzip, deflate"
"""What the archiver asks for (and so what the server's throughput is measured with)."""


@dataclass
class Server:
    """A running static server: its base URL, kind and the process ids that do its work."""

    url: str
    kind: str
    pids: list[int]

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by the server's processes (from /proc)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def wait_for(url: str, timeout: float = 20.0) -> None:
    """Wait until ``url`` answers (any HTTP status)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def serve(site: Path, port: int, kind: str = "auto", gzip: bool = True) -> Iterator[Server]:
    """Serve ``site`` on 127.0.0.1:``port`` with nginx (``kind`` "nginx"/"auto") or Python.

    nginx compresses HTML for clients that ask (``gzip``), as Debian's stock config does; the
    Python fallback never compresses.
    """
    if kind == "auto":
        kind = "nginx" if shutil.which("nginx") or Path("/usr/sbin/nginx").exists() else "python"
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as prefix:
        if kind == "nginx":
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            conf = Path(prefix) / "nginx.conf"
            conf.write_text(
                NGINX_CONF.format(
                    prefix=prefix, port=port, root=site.resolve(), gzip="on" if gzip else "off"
                )
            )
            cmd = [nginx, "-c", str(conf), "-p", prefix, "-e", f"{prefix}/error.log"]
        else:
            cmd = [sys.executable, __file__, str(site), "--port", str(port), "--server", "python"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(url + "/robots.txt")
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
            pids = [proc.pid, *_children(proc.pid)]
            label = f"{kind}, gzip" if kind == "nginx" and gzip else kind
            yield Server(url=url, kind=label, pids=pids)
        finally:
            proc.send_signal(signal.SIGTERM if kind == "python" else signal.SIGQUIT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class _Handler(SimpleHTTPRequestHandler):
    """Static files; uploads from the placeholder; 404 with /404.html; no logging."""

    protocol_version = "HTTP/1.1"

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if path.startswith("/wp-content/uploads/") and not os.path.exists(local):
            return super().translate_path("/wp-content/uploads/placeholder.jpg")
        return local

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def run_python_server(site: Path, port: int) -> None:
    """Serve ``site`` until SIGTERM (the fallback when nginx is not installed)."""
    handler = lambda *a, **kw: _Handler(*a, directory=str(site), **kw)  # noqa: E731
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


def _fetch_loop(
    url: str, paths: list[str], deadline: float, counts: list[int], accept_encoding: str
) -> None:
    host = url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=10)
    i = n = 0
    while time.monotonic() < deadline:
        conn.request("GET", paths[i % len(paths)], headers={"Accept-Encoding": accept_encoding})
        resp = conn.getresponse()
        resp.read()
        n += 1
        i += 7
    conn.close()
    counts.append(n)


def throughput(
    server: Server,
    paths: list[str],
    seconds: float = 3.0,
    connections: int = 16,
    accept_encoding: str = ACCEPT_ENCODING,
) -> dict:
    """Requests per second the server sustains on ``paths`` (wrk when installed, else threads),
    for clients sending ``accept_encoding`` ("" for none, as wget by default)."""
    cpu0 = server.cpu_seconds()
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            listed = ",".join(json.dumps(p) for p in paths[:2000])
            script.write(
                f"local paths = {{{listed}}}\nlocal i = 0\n"
                "request = function()\n i = i % #paths + 1\n"
                " return wrk.format('GET', paths[i])\nend\n"
            )
        try:
            out = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{connections}",
                    f"-d{max(1, round(seconds))}s",
                    "-H",
                    f"Accept-Encoding: {accept_encoding or 'identity'}",
                    "-s",
                    script.name,
                    server.url,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            os.unlink(script.name)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        tool = f"wrk, {connections} connections"
    else:
        counts: list[int] = []
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=_fetch_loop,
                args=(server.url, paths[k:], deadline, counts, accept_encoding or "identity"),
            )
            for k in range(connections)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rps = sum(counts) / seconds
        tool = f"python http.client, {connections} threads (the client is the limit)"
    return {
        "accept_encoding": accept_encoding or "identity",
        "requests_per_s": round(rps),
        "tool": tool,
        "server_cpu_s_per_1000": round(1000 * (server.cpu_seconds() - cpu0) / (rps * seconds), 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description="Serve a generated blog on 127.0.0.1.")
    ap.add_argument("site", type=Path)
    ap.add_argument("--port", type=int, help="default: the port in SITE/site.json")
    ap.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    ap.add_argument("--check", action="store_true", help="measure throughput, then stop")
    args = ap.parse_args()
    info = json.loads((args.site / "site.json").read_text("utf-8"))
    port = args.port or info["port"]
    if args.server == "python" and not args.check:
        run_python_server(args.site, port)
        return 0
    with serve(args.site, port, args.server) as server:
        if args.check:
            paths = [u.removeprefix(info["origin"]) for u in info["post_urls"]]
            for encoding in (ACCEPT_ENCODING, ""):
                print(
                    json.dumps(
                        {
                            "server": server.kind,
                            **throughput(server, paths, accept_encoding=encoding),
                        }
                    )
                )
            return 0
        print(f"{server.kind} serving {args.site} at {server.url} (Ctrl-C stops)")
        # SIGTERM too must leave through the with block, which stops nginx.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
