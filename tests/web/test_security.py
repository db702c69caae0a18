"""What the app lets in, tried over HTTP against `caseload serve`: names confined to their folders
(`../`, absolute, encoded, symlinks out), size limits, CSRF tokens on every state-changing request,
the Host header, the address it binds to by default, and no shell for user text."""

from __future__ import annotations

import pathlib
import re

import pytest

from conftest import DATA, Client, Server, make_folders

OUTSIDE_SECRET = "secret outside the folders"


@pytest.fixture(scope="module")
def shared(caseload_bin, tmp_path_factory):
    """One server for the tests that only read, or are refused: starting one takes a second."""
    server = Server(caseload_bin, *make_folders(tmp_path_factory.mktemp("shared")))
    yield server
    server.stop()


@pytest.fixture
def outside(tmp_path):
    return make_outside(tmp_path)


def make_outside(tmp_path):
    """A folder beside the app's folders, with a scenario and a planted result the app must not serve."""
    folder = tmp_path / "outside"
    folder.mkdir()
    text = (DATA / "two-ldu.toml").read_text().replace('name = "two-ldu"', f'name = "{OUTSIDE_SECRET}"')
    (folder / "secret.toml").write_text(text)
    (folder / "job.json").write_text('{"id": "evil", "kind": "compare", "title": "evil", "base": "x", '
                                     '"variant": null, "argv": [], "created": "2020", "status": "done", '
                                     '"files": {"h5": "secret.toml", "report": "secret.toml"}}')
    return folder


def files_in(folder: pathlib.Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ---------------------------------------------------------------------- names and folders

TRAVERSALS = [
    "/scenarios/../../../../etc/passwd",
    "/scenarios/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/scenarios/..%2F..%2Foutside%2Fsecret.toml",
    "/scenarios/%2e%2e%2f%2e%2e%2foutside%2fsecret.toml",
    "/scenarios/..%252f..%252foutside%252fsecret.toml",
    "/scenarios/%2Fetc%2Fpasswd",
    "/scenarios/%2Fetc%2Fpasswd/file",
    "/scenarios//etc/passwd/file",
    "/scenarios/..%5c..%5coutside%5csecret.toml/file",
    "/scenarios/two-ldu.toml%00.txt/file",
    "/scenarios/.caseload-web-x.toml",
    "/scenarios/link.toml",
    "/scenarios/link.toml/file",
    "/results/..%2f..%2foutside",
    "/results/evil",
    "/results/evil/download/h5",
    "/results/planted",
    "/results/planted/download/h5",
    "/results/planted/download/html",
    "/results/planted/download/..%2f..%2f..%2foutside%2fsecret.toml",
    "/jobs/..%2f..%2foutside/status",
    "/static/..%2f__init__.py",
    "/static/../__init__.py",
    "/staffing?base=..%2f..%2foutside%2fsecret.toml",
    "/staffing?base=%2Fetc%2Fpasswd",
    "/staffing?base=link.toml",
]


@pytest.fixture(scope="module")
def planted(caseload_bin, tmp_path_factory):
    """A server started with a symlink out of each folder, and a result folder whose file is one."""
    tmp = tmp_path_factory.mktemp("planted")
    outside = make_outside(tmp)
    scenarios, results = make_folders(tmp)
    (scenarios / "link.toml").symlink_to(outside / "secret.toml")
    results.mkdir()
    (results / "evil").symlink_to(outside, target_is_directory=True)
    (results / "planted").mkdir()
    (results / "planted" / "job.json").write_text((outside / "job.json").read_text().replace("evil", "planted"))
    (results / "planted" / "secret.toml").symlink_to(outside / "secret.toml")
    server = Server(caseload_bin, scenarios, results)
    yield server
    server.stop()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_names_outside_their_folder_are_not_found(planted, path):
    status, _, body = Client(planted.url).get(path)
    assert status in (400, 404), (status, body[:300])
    assert OUTSIDE_SECRET.encode() not in body and b"root:" not in body


def test_symlinks_out_of_the_folders_are_not_listed(planted):
    client = Client(planted.url)
    for page in ("/", "/results", "/staffing"):
        status, _, body = client.get(page)
        assert status == 200
        assert b"link.toml" not in body and b"evil" not in body and OUTSIDE_SECRET.encode() not in body
    assert b"two-ldu.toml" in client.get("/")[2]


def test_a_what_if_is_never_written_through_a_symlink(serve, folders, outside):
    scenarios, _ = folders
    (scenarios / "evil.toml").symlink_to(outside / "secret.toml")
    server = serve()
    client = Client(server.url)
    before = (outside / "secret.toml").read_text()
    token = client.token("/scenarios/two-ldu.toml")
    status, _, body = client.post("/scenarios/two-ldu.toml/whatif", {
        "name": "evil", "ldu-0-PO-in_post": "8", "action": "validate", "timeline-count": "0"}, token)
    assert status == 422 and b"choose another name" in body
    assert (outside / "secret.toml").read_text() == before


def test_a_what_if_does_not_replace_a_scenario_it_did_not_write(client, server):
    token = client.token("/scenarios/two-ldu.toml")
    for name in ("two ldu", "midlands 2018"):  # slugs of the folder's own files
        status, _, body = client.post("/scenarios/two-ldu.toml/whatif", {
            "name": name, "ldu-0-PO-in_post": "8", "action": "validate", "timeline-count": "0"}, token)
        assert status == 422 and b"choose another name" in body
    assert (server.scenarios / "two-ldu.toml").read_bytes() == (DATA / "two-ldu.toml").read_bytes()


# ---------------------------------------------------------------------- sizes

def test_an_oversized_upload_is_refused(client, server):
    token = client.token()
    big = (DATA / "two-ldu.toml").read_bytes() + b"#" * (300 * 1024) + b"\n"
    status, _, body = client.upload("/scenarios/upload", "big.toml", big, token)
    assert status == 413 and b"Too large" in body
    assert not (server.scenarios / "big.toml").exists()


def test_an_oversized_form_is_refused(client, server):
    token = client.token("/scenarios/two-ldu.toml")
    status, _, _ = client.post("/scenarios/two-ldu.toml/whatif", {"name": "x" * (600 * 1024)}, token)
    assert status == 413


def test_an_upload_is_checked_before_it_is_kept(client, server, outside):
    token = client.token()
    good = (DATA / "two-ldu.toml").read_bytes().replace(b'name = "two-ldu"', b'name = "uploaded"')
    status, headers, _ = client.upload("/scenarios/upload", "My Upload.toml", good, token)
    assert status == 303 and headers["Location"].endswith("/scenarios/my-upload.toml")
    assert (server.scenarios / "my-upload.toml").read_bytes() == good
    refused = {
        "broken.toml": b"schema_version = 1\n[[ldu]\n",
        "invalid.toml": good.replace(b"establishment = 8", b"establishment = -8"),
        "escape.toml": b'extends = "../outside/secret.toml"\nname = "x"\n',
        "absolute.toml": f'extends = "{outside / "secret.toml"}"\nname = "x"\n'.encode(),
        "snapshot.toml": good + b'\n[initial_state]\nsnapshot_date = 2020-01-01\nstaff = "/etc/passwd"\ncases = "x"\n',
        "latin1.toml": good.replace(b"uploaded", "caf\xe9".encode("latin-1")),
    }
    for name, content in refused.items():
        status, _, body = client.upload("/scenarios/upload", name, content, token)
        assert status == 422, (name, body[:300])
        assert not (server.scenarios / name).exists()
    status, _, body = client.upload("/scenarios/upload", "invalid.toml", refused["invalid.toml"], token)
    assert b"out of range" in body  # the loader's own message


# ---------------------------------------------------------------------- CSRF

def post_routes(server):
    return ["/scenarios/two-ldu.toml/whatif", "/scenarios/upload", "/jobs/20200101-000000-x/cancel", "/staffing"]


@pytest.mark.parametrize("token", [None, "", "wrong", "IjAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"])
def test_every_post_needs_the_sessions_csrf_token(shared, token):
    server, client = shared, Client(shared.url)
    client.token()  # a session, so that only the token is wrong
    before = files_in(server.scenarios) | files_in(server.results)
    fields = {"name": "csrf", "ldu-0-PO-in_post": "8", "action": "run", "timeline-count": "0", "base": "two-ldu.toml",
              "target-capacity_mean_PO": "on", "value-capacity_mean_PO": "55", "grades": "PO", "replications": "3",
              "max_added": "5"}
    for route in post_routes(server):
        status, _, body = client.post(route, fields, token)
        assert status == 400 and b"CSRF" in body, (route, status, body[:300])
        status, _, body = client.upload(route, "csrf.toml", (DATA / "two-ldu.toml").read_bytes(), token)
        assert status == 400 and b"CSRF" in body, (route, status)
    assert files_in(server.scenarios) | files_in(server.results) == before


def test_a_token_from_another_session_does_not_count(server):
    token = Client(server.url).token()
    other = Client(server.url)
    other.token()
    status, _, body = other.post("/scenarios/two-ldu.toml/whatif", {"name": "x", "action": "validate"}, token)
    assert status == 400 and b"CSRF" in body


def test_with_the_token_the_same_post_goes_through(client, server):
    token = client.token("/scenarios/two-ldu.toml")
    status, _, body = client.post("/scenarios/two-ldu.toml/whatif", {
        "name": "with token", "ldu-0-PO-in_post": "8", "action": "validate", "timeline-count": "0"}, token)
    assert status == 200 and b"Valid: written as" in body
    assert (server.scenarios / "with-token.toml").is_file()


# ---------------------------------------------------------------------- binding and Host

def listening(port: int) -> set[str]:
    """The local addresses listening on a TCP port, from /proc/net/tcp and tcp6 (hex, as the kernel gives them)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in pathlib.Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_it_listens_on_localhost_only_by_default(server):
    assert listening(server.port) == {"0100007F"}  # 127.0.0.1
    assert "warning" not in server.output()
    assert f"http://127.0.0.1:{server.port}/" in server.output()


def test_another_host_is_warned_about(serve):
    server = serve("--host", "0.0.0.0")
    assert listening(server.port) == {"00000000"}
    assert re.search(r"warning: listening on 0\.0\.0\.0, not only on this machine", server.output())


def test_requests_for_another_host_name_are_refused(client, server):
    assert client.get("/", headers={"Host": f"localhost:{server.port}"})[0] == 200
    for host in ("evil.example", f"evil.example:{server.port}", f"127.0.0.1.nip.io:{server.port}"):
        status, _, _ = client.get("/", headers={"Host": host})
        assert status == 400, host


def test_pages_forbid_framing_and_foreign_scripts(client):
    _, headers, _ = client.get("/")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------------- requests validated

@pytest.mark.parametrize("fields, field", [
    ({"policy": "rm -rf /"}, b"not a policy offered"),
    ({"replications": "1000"}, b"from 2 to 50"),
    ({"replications": "3; ls"}, b"not a whole number"),
    ({"ldu-0-PO-in_post": "1e999"}, b"too large"),
    ({"ldu-0-PO-in_post": "nan"}, b"not a number"),
    ({"timeline-count": "1", "timeline-0-what": "staff_percent", "timeline-0-date": "2020-03-01",
      "timeline-0-ldu": "$(touch x)", "timeline-0-grade": "PO", "timeline-0-value": "-10"}, b"not an LDU of the base"),
    ({"timeline-count": "1", "timeline-0-what": "launch", "timeline-0-date": "2020-03-01"}, b"choose what changes"),
    ({"timeline-count": "1", "timeline-0-what": "demand", "timeline-0-date": "March"}, b"give the date"),
    ({}, b"nothing is changed from the base"),
])
def test_what_the_form_sends_is_checked_field_by_field(shared, fields, field):
    server, client = shared, Client(shared.url)
    token = client.token("/scenarios/two-ldu.toml")
    status, _, body = client.post("/scenarios/two-ldu.toml/whatif", {"name": "checked", "action": "run", **fields},
                                  token)
    assert status == 422 and field in body
    assert not (server.scenarios / "checked.toml").exists() and not any(server.results.iterdir())


@pytest.mark.parametrize("fields, field", [
    ({"base": "../outside/secret.toml"}, b"No such scenario"),
    ({"base": "two-ldu.toml"}, b"choose at least one target"),
    ({"target-capacity_mean_PO": "on", "value-capacity_mean_PO": "55; rm -rf /"}, b"give a number"),
    ({"target-plan_review_share_on_time": "on", "value-plan_review_share_on_time": "150"}, b"from 0 to 100"),
    ({"target-capacity_mean_PO": "on", "scope-capacity_mean_PO": "Atlantis"}, b"not an LDU of the base"),
    ({"target-capacity_mean_PO": "on", "grades": "SPO"}, b"choose at least one grade"),
    ({"target-capacity_mean_PO": "on", "ldus": "$(reboot)"}, b"not an LDU of the base"),
    ({"target-capacity_mean_PO": "on", "replications": "0"}, b"from 2 to 50 replications"),
    ({"target-capacity_mean_PO": "on", "max_added": "100000"}, b"from 1 to 1000 posts"),
])
def test_the_staffing_form_is_checked_field_by_field(shared, fields, field):
    client = Client(shared.url)
    token = client.token("/staffing?base=two-ldu.toml")
    sent = {"base": "two-ldu.toml", "value-capacity_mean_PO": "55", "grades": "PO", "replications": "3",
            "max_added": "10", **fields}
    status, _, body = client.post("/staffing", sent, token)
    assert status in (404, 422) and field in body, (status, body[-800:])
    assert not any(shared.results.iterdir())
