"""The planner's path in a real browser (headless Chromium through Selenium and chromium-driver):
pick the Midlands baseline, cut one LDU's POs by 30% from a date, run it against the base with a live
progress bar, read the comparison, download its files, and check them against the same what-if run
from the command line; an impossible value gets the loader's message beside its control; the
staffing solver's plan.

Replications: the e2e what-if runs 3 paired replications of the full Midlands baseline. With 2 the
t multiplier of a 95% interval is 12.7 (1 degree of freedom), and Birmingham's rise in PO capacity
(about +16 points, replication-to-replication spread of a few points) has an interval reaching below
zero; with 3 it is 4.3 and the interval excludes zero ([+9.4, +23.4] points at the baseline's seed).
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request

import caseload
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from conftest import MIDLANDS, wait

RUN_TIMEOUT = 300  # seconds: the Midlands what-if takes about 20 s on 2 busy cores


def click_through(browser, by: str, value: str) -> None:
    """Click a link or a form's submit button and wait until the page it loads has replaced this one:
    ChromeDriver may return from the click before then (seen in CI), and reading the page at once
    would read the old one."""
    el = browser.find_element(by, value)
    el.click()
    wait(browser, 30).until(expected_conditions.staleness_of(el))


def fill(browser, field_id: str, value: str) -> None:
    el = browser.find_element(By.ID, field_id)
    el.clear()
    el.send_keys(value)


def set_date(browser, field_id: str, iso: str) -> None:
    # A date input's typed form depends on the browser's locale; its value is always ISO.
    el = browser.find_element(By.ID, field_id)
    browser.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))",
                           el, iso)


def message_beside(browser, field_id: str, kind: str = "error") -> str:
    el = browser.find_element(By.ID, field_id)
    found = el.find_elements(By.XPATH, f"following-sibling::span[contains(@class, 'msg') and contains(@class, '{kind}')]")
    assert found, f"no {kind} message beside #{field_id}"
    return " ".join(m.text for m in found)


def numbers(text: str) -> list[float]:
    return [float(x.replace("−", "-").replace(",", "")) for x in re.findall(r"[+−-]?\d[\d,]*(?:\.\d+)?", text)]


def wait_for_result(browser, timeout: float = RUN_TIMEOUT) -> list[float]:
    """Wait on the run page until the browser is sent to the result; the progress values seen."""
    wait(browser, 30).until(lambda d: "/jobs/" in d.current_url)
    seen, end = [], time.monotonic() + timeout
    while "/results/" not in browser.current_url:
        assert time.monotonic() < end, f"no result within {timeout} s"
        try:
            seen.append(float(browser.find_element(By.ID, "progress").get_attribute("value")))
            status = browser.find_element(By.ID, "status").text
            assert status not in ("failed", "cancelled"), browser.find_element(By.ID, "message").text
        except Exception as e:  # noqa: BLE001 (the page may be leaving)
            if isinstance(e, AssertionError):
                raise
        time.sleep(0.2)
    # The script moved the page: wait until the result has loaded whole.
    wait(browser, 60).until(lambda d: d.execute_script("return document.readyState") == "complete"
                            and d.find_elements(By.ID, "result-bar"))
    return seen


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as r:
        assert r.status == 200
        return r.read()


def test_a_midlands_what_if_from_the_forms_to_the_comparison(chromium, server, caseload_bin, tmp_path):
    b = chromium
    b.get(server.url + "/")
    click_through(b, By.LINK_TEXT, "midlands-2018.toml")
    # The base in tables: its LDUs, staff by grade with vacancies, demand.
    staff = b.find_element(By.ID, "base-staff").text
    assert "Birmingham" in staff and "Northamptonshire" in staff
    birmingham = b.find_element(By.XPATH, "//table[@id='base-staff']//tr[td[1][normalize-space()='Birmingham']]")
    assert birmingham.text.split()[1:4] == ["73", "58", "21%"]  # PO posts, in post, vacant
    assert "community" in b.find_element(By.ID, "base-demand").text

    fill(b, "name", "Birmingham POs cut by 30%")
    set_date(b, "timeline-0-date", "2019-01-31")  # day 364 of the baseline, as its variants use
    Select(b.find_element(By.ID, "timeline-0-what")).select_by_value("staff_percent")
    Select(b.find_element(By.ID, "timeline-0-ldu")).select_by_visible_text("Birmingham")
    Select(b.find_element(By.ID, "timeline-0-grade")).select_by_visible_text("PO")
    fill(b, "timeline-0-value", "-30")
    fill(b, "replications", "3")
    b.find_element(By.ID, "run").click()

    seen = wait_for_result(b)
    assert any(0 < v < 1 for v in seen), f"the progress bar never moved between 0 and 1: {sorted(set(seen))}"

    # The comparison page, where the change happened first: Birmingham's PO capacity rises, clearly.
    headings = [h.text for h in b.find_elements(By.TAG_NAME, "h2")]
    assert headings.index("Where the change happened: the LDUs") < headings.index("The division")
    assert "Birmingham" in b.find_element(By.CSS_SELECTOR, "ul.ldu-changes li").text
    table = b.find_element(By.XPATH, "//h2[starts-with(., 'Where the change happened')]/following::table[1]")
    assert "PO capacity" in table.find_element(By.XPATH, ".//th[2]").text
    cell = table.find_element(By.XPATH, ".//tr[td[1][normalize-space()='Birmingham']]/td[2]")
    before, after, difference, low, high = numbers(cell.text)[:5]
    assert after > before and difference > 0
    assert 0 < low < difference < high, f"the interval does not exclude zero: {cell.text!r}"
    assert cell.find_element(By.CSS_SELECTOR, "span.worse").text.startswith("+")

    assert "3 replications: 95% intervals from fewer than 5" in b.find_element(By.ID, "result-notes").text
    assert ("caseload compare midlands-2018.toml birmingham-pos-cut-by-30.toml -o comparison.h5 -r 3"
            in b.find_element(By.ID, "result-bar").text)

    # The downloads: the HDF5 file, the workbook and the scenario file.
    links = {a.get_attribute("id"): a.get_attribute("href") for a in b.find_elements(By.CSS_SELECTOR, "#result-bar a")}
    h5, workbook, toml = (fetch(links[k]) for k in ("download-h5", "download-xlsx", "download-toml"))
    assert h5.startswith(b"\x89HDF\r\n\x1a\n") and workbook.startswith(b"PK")
    text = toml.decode()
    assert 'extends = "midlands-2018.toml"' in text and "add_staff_percent.PO = -30" in text
    assert 'ldu = "Birmingham"' in text and "at_day = 364" in text

    # The same what-if from the command line gives the same comparison, number for number.
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "midlands-2018.toml").write_bytes(MIDLANDS.read_bytes())
    (tmp_path / "cli" / "what-if.toml").write_bytes(toml)
    (tmp_path / "app.h5").write_bytes(h5)
    proc = subprocess.run([str(caseload_bin), "compare", "midlands-2018.toml", "what-if.toml", "-r", "3", "-q",
                           "-o", str(tmp_path / "cli.h5")], cwd=tmp_path / "cli", capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    with caseload.open(tmp_path / "app.h5") as app, caseload.open(tmp_path / "cli.h5") as cli:
        assert app.comparison.equals(cli.comparison)

    # Earlier results are listed and reopen.
    b.get(server.url + "/results")
    click_through(b, By.XPATH, "//table[@id='jobs']//a[text()='open']")
    assert "Caseload comparison" in b.find_element(By.TAG_NAME, "h1").text


def test_an_impossible_value_gets_the_loaders_message_beside_its_control(chromium, server):
    b = chromium
    b.get(server.url + "/scenarios/midlands-2018.toml")
    fill(b, "name", "impossible")
    fill(b, "ldu-0-PO-in_post", "-5")
    fill(b, "cap_percent", "1.1")
    set_date(b, "timeline-0-date", "2030-01-01")  # after the end of the run
    Select(b.find_element(By.ID, "timeline-0-what")).select_by_value("demand")
    fill(b, "timeline-0-value", "110")
    click_through(b, By.ID, "validate")

    # The loader stops at its first error: each, once fixed, lets the next one show beside its control.
    expected = {"ldu-0-PO-in_post": ("'ldu[0].staff.PO.in_post' = -5 is out of range", "58"),
                "cap_percent": ("'allocation.cap_percent' = 1.1 reads as a fraction", "110"),
                "timeline-0-date": ("'intervention[0].at_day' = 4352 is out of range", None)}
    shown = []
    while len(shown) < len(expected):
        errors = b.find_elements(By.CSS_SELECTOR, "span.msg.error")
        assert len(errors) == 1, [e.text for e in errors]
        field = errors[0].get_attribute("data-for")
        assert field in expected and field not in shown, (field, errors[0].text)
        assert expected[field][0] in message_beside(b, field)
        shown.append(field)
        if expected[field][1] is not None:  # the value stays as typed, to be fixed
            fill(b, field, expected[field][1])
        else:
            set_date(b, field, "2019-01-31")
        click_through(b, By.ID, "validate")
    assert not b.find_elements(By.CSS_SELECTOR, "span.msg.error")
    assert b.find_element(By.ID, "saved").text.endswith("impossible.toml in the scenarios folder.")
    assert (server.scenarios / "impossible.toml").is_file()


    # A value that is not a number at all is the app's to refuse, beside its control too.
    assert "changed" not in b.find_element(By.ID, "ldu-1-PSO-establishment").get_attribute("class")
    fill(b, "ldu-1-PSO-establishment", "lots")
    assert "changed" in b.find_element(By.ID, "ldu-1-PSO-establishment").get_attribute("class")
    click_through(b, By.ID, "validate")
    assert "not a whole number" in message_beside(b, "ldu-1-PSO-establishment") or \
        "not a number" in message_beside(b, "ldu-1-PSO-establishment")


def test_the_staffing_solver_finds_a_plan(chromium, server):
    b = chromium
    b.get(server.url + "/staffing")
    Select(b.find_element(By.ID, "base")).select_by_visible_text("two-ldu.toml")
    click_through(b, By.ID, "choose-base")
    b.find_element(By.ID, "target-capacity_mean_PO").click()
    fill(b, "value-capacity_mean_PO", "55")
    fill(b, "replications", "3")
    b.find_element(By.ID, "solve").click()
    wait_for_result(b, timeout=120)
    assert "Caseload staffing plan" in b.find_element(By.TAG_NAME, "h1").text
    plan = b.find_element(By.XPATH, "//h2[.='The plan']/following::table[1]").text
    assert "PO" in plan and ("North" in plan or "South" in plan)
    added = b.find_element(By.CSS_SELECTOR, "p.lede").text
    assert re.search(r"adds [1-9]\d* posts", added), added


def test_a_run_is_cancelled_from_its_page(chromium, server):
    b = chromium
    b.get(server.url + "/scenarios/midlands-2018.toml")
    fill(b, "name", "to cancel")
    fill(b, "ldu-8-PO-in_post", "30")
    fill(b, "replications", "50")  # minutes of work: it is still running when cancelled
    b.find_element(By.ID, "run").click()
    wait(b, 30).until(lambda d: "/jobs/" in d.current_url)
    wait(b, 30).until(lambda d: d.find_element(By.ID, "status").text == "running")
    b.find_element(By.ID, "cancel").click()
    wait(b, 30).until(lambda d: d.find_element(By.ID, "status").text == "cancelled")
    assert not b.find_elements(By.ID, "cancel")
    b.get(server.url + "/results")
    row = b.find_element(By.XPATH, "//table[@id='jobs']//tr[td[1][contains(., 'to cancel')]]")
    assert "cancelled" in row.text
