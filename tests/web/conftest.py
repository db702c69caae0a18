"""Fixtures for the web app's tests: the app started the way a planner starts it
(`caseload serve`, which execs Debian's python3 on analysis/caseload/web), an HTTP client that
keeps its cookies and reads CSRF tokens off the pages, and headless Chromium through Selenium."""

from __future__ import annotations

import html
import http.cookiejar
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analysis"))  # the caseload package, as the app itself finds it
DATA = pathlib.Path(__file__).resolve().parent / "data"
MIDLANDS = ROOT / "scenarios" / "midlands-2018.toml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`caseload serve` in a process group of its own, on a free port, with its folders."""

    def __init__(self, binary, scenarios: pathlib.Path, results: pathlib.Path, *args):
        self.scenarios, self.results, self.port = scenarios, results, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = results.parent / f"serve-{self.port}.log"
        argv = [str(binary), "serve", "--port", str(self.port), "--scenarios", str(scenarios),
                "--results", str(results), *map(str, args)]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"caseload serve exited {self.proc.returncode}: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"caseload serve did not listen within 30 s: {self.log.read_text()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def make_folders(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """A scenarios folder with the Midlands baseline and the small two-LDU scenario; a results folder
    (not made: the app makes it)."""
    scenarios, results = tmp_path / "scenarios", tmp_path / "results"
    scenarios.mkdir()
    shutil.copy(MIDLANDS, scenarios / MIDLANDS.name)
    shutil.copy(DATA / "two-ldu.toml", scenarios / "two-ldu.toml")
    return scenarios, results


@pytest.fixture
def folders(tmp_path):
    return make_folders(tmp_path)


@pytest.fixture
def serve(caseload_bin, folders):
    """Start `caseload serve` with extra arguments; every server started is stopped at the end."""
    started = []

    def start(*args):
        server = Server(caseload_bin, *folders, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serve):
    return serve()


class Client:
    """An HTTP client with a cookie jar (the app's session) that never follows redirects."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, method: str, path: str, data: bytes | None = None, headers=None):
        """(status, headers, body as text) of a request to a raw path (sent as written, not re-encoded)."""
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def token(self, path: str = "/") -> str:
        status, _, body = self.get(path)
        assert status == 200, body[:500]
        m = re.search(rb'name="csrf_token" value="([^"]+)"', body)
        assert m, "no CSRF token on the page"
        return html.unescape(m.group(1).decode())

    def post(self, path: str, fields: dict | list, token: str | None = None):
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if token is not None:
            items.append(("csrf_token", token))
        return self.request("POST", path, urllib.parse.urlencode(items).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, filename: str, content: bytes, token: str | None = None):
        boundary = "----caseload-test-boundary"
        parts = []
        if token is not None:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="scenario"; filename="{filename}"\r\n'
                     "Content-Type: application/toml\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@pytest.fixture
def client(server):
    return Client(server.url)


def wait(browser, timeout: float):
    """A WebDriverWait that also rides out a page being replaced while it waits: an element gone
    stale, and ChromeDriver's "unhandled inspector error" (a WebDriverException, seen in CI) when an
    element is read in the instant the old page goes. A condition never met still ends in a
    TimeoutException."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,))


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium driven by Debian's chromium-driver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        pytest.fail("chromium and chromium-driver are needed (scripts/install-deps installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--lang=en-GB"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    browser.set_page_load_timeout(120)
    yield browser
    browser.quit()
