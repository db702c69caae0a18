"""The safety limits as a browser meets them (headless Chromium): a page of another site that posts
a what-if to the app is refused for want of the CSRF token, an oversized scenario chosen in the
upload form is refused, and a path out of the folders typed in the address bar finds nothing."""

from __future__ import annotations

import http.server
import threading

import pytest
from selenium.webdriver.common.by import By

from conftest import DATA, free_port, wait


@pytest.fixture
def attacker(tmp_path, server):
    """Another site (another origin: localhost on another port) whose page posts to the app on loading."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f"""<!DOCTYPE html><html><body>
<form id="f" method="post" action="{server.url}/scenarios/two-ldu.toml/whatif">
<input name="name" value="pwned"><input name="ldu-0-PO-in_post" value="1"><input name="action" value="run">
<input name="timeline-count" value="0"></form>
<script>document.getElementById("f").submit();</script></body></html>""")
    port = free_port()
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(site), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://localhost:{port}/index.html"
    httpd.shutdown()


def test_a_form_posted_from_another_site_is_refused(chromium, server, attacker):
    b = chromium
    b.get(server.url + "/")  # the planner has the app open: a session cookie exists
    b.get(attacker)
    wait(b, 30).until(lambda d: d.current_url.startswith(server.url))
    assert b.find_element(By.TAG_NAME, "h1").text == "Refused"
    assert "CSRF token is missing" in b.find_element(By.ID, "error-message").text
    assert not (server.scenarios / "pwned.toml").exists() and not any(server.results.iterdir())


def test_an_oversized_scenario_chosen_for_upload_is_refused(chromium, server, tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes((DATA / "two-ldu.toml").read_bytes() + b"#" * (300 * 1024) + b"\n")
    b = chromium
    b.get(server.url + "/")
    b.find_element(By.TAG_NAME, "summary").click()
    b.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(big))
    b.find_element(By.CSS_SELECTOR, "form.upload button").click()
    wait(b, 30).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Too large")
    assert not (server.scenarios / "big.toml").exists()


@pytest.mark.parametrize("path", ["/scenarios/..%2f..%2f..%2f..%2fetc%2fpasswd/file",
                                  "/results/..%2f..%2f..%2fetc/download/toml"])
def test_a_path_out_of_the_folders_finds_nothing(chromium, server, path):
    b = chromium
    b.get(server.url + path)
    assert b.find_element(By.TAG_NAME, "h1").text in ("Not found", "Not Found")
    assert "root:" not in b.page_source
