"""The planner's desk: a local web app to build a what-if, run it against its base, and read the
comparison, without writing TOML (docs/web-app.md).

    caseload serve [--port 8080] [--scenarios DIR] [--results DIR]

starts it (that execs `python3 -m caseload.web` with the binary's own path). The app sits on top of
the command line and this package: it writes a what-if as a small scenario file that `extends` its
base, checks it with `caseload validate`, runs `caseload compare` (or `caseload staff`) as an argument
list, never through a shell, and shows the report this package writes.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import pathlib
import secrets
import tempfile
import tomllib

from flask import (Flask, abort, jsonify, redirect, render_template, request, send_file, url_for)
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup

from . import whatif as wi
from .engine import Engine, EngineError
from .folders import NotAllowed, inside, new_path, plain_name, scenario_files, slug
from .jobs import Job, QueueFull, Runner, now

MAX_SCENARIO_BYTES = 256 * 1024      # an uploaded or written scenario file
MAX_REQUEST_BYTES = 512 * 1024       # any request body (forms, uploads)
DOWNLOADS = {  # what a result offers: kind → (file key in the job, mimetype)
    "h5": ("h5", "application/x-hdf5"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "toml": ("toml", "application/toml"),
    "html": ("report", "text/html"),
}
STAFF_TARGETS = [  # (figure, the sense of the target, default, how the form takes it)
    ("capacity_mean_PO", "<=", 100, "percent"),
    ("share_over_110_PO", "<=", 20, "share"),
    ("capacity_mean_PSO", "<=", 100, "percent"),
    ("share_over_110", "<=", 25, "share"),
    ("plan_review_share_on_time", ">=", 50, "share"),
    ("court_reports_share_on_time", ">=", 95, "share"),
    ("victim_first_contact_share_on_time", ">=", 60, "share"),
    ("vlo_caseload", "<=", 220, "number"),
]
STAFF_GRADES = ("PO", "PQiP", "PSO", "VLO")


@dataclasses.dataclass
class Config:
    binary: pathlib.Path
    scenarios: pathlib.Path
    results: pathlib.Path
    host: str = "127.0.0.1"
    port: int = 8080
    max_queued: int = 3


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(config: Config) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),   # new at each start: tokens of an earlier run do not count
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        WTF_CSRF_TIME_LIMIT=None,             # a form left open over lunch still works
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
    )
    CSRFProtect(app)
    config.scenarios = config.scenarios.resolve()
    config.results.mkdir(parents=True, exist_ok=True)
    config.results = config.results.resolve()
    engine = Engine(config.binary)
    runner = Runner(config.binary, config.scenarios, config.results, config.max_queued)
    app.extensions["caseload"] = {"config": config, "engine": engine, "runner": runner}
    local = is_loopback(config.host)
    allowed_hosts = {f"{h}:{config.port}" for h in ("127.0.0.1", "localhost", "[::1]")}

    # ------------------------------------------------------------------ every request

    @app.before_request
    def check_host():
        # Bound to this machine, the app answers only to this machine's names: a page elsewhere that
        # points a name of its own at 127.0.0.1 (DNS rebinding) gets nothing.
        if local and request.host not in allowed_hosts:
            abort(400, "this app answers only at 127.0.0.1 or localhost")

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_template("error.html", title="Refused", message=f"{e.description} Reload the page and "
                               "try again."), 400

    @app.errorhandler(NotAllowed)
    def not_allowed(_e):
        return render_template("error.html", title="Not found", message="No such scenario or result."), 404

    @app.errorhandler(413)
    def too_large(_e):
        return render_template("error.html", title="Too large", message=(
            f"That is more than the app takes ({MAX_REQUEST_BYTES // 1024} KiB a request, "
            f"{MAX_SCENARIO_BYTES // 1024} KiB a scenario file).")), 413

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    def plain_error(e):
        return render_template("error.html", title=e.name, message=e.description), e.code

    @app.context_processor
    def globals_():
        from .. import labels
        return {"grades": wi.GRADES, "policies": wi.POLICIES, "changes": wi.CHANGES,
                "max_kib": MAX_SCENARIO_BYTES // 1024,
                "figure_labels": {f: label for f, (label, _) in labels.FIGURES.items()}}

    # ------------------------------------------------------------------ scenarios

    def base_of(name: str) -> wi.Base:
        path = inside(config.scenarios, name)
        if not name.endswith(".toml"):
            raise NotAllowed(name)
        try:
            return wi.Base.from_resolved(name, engine.resolved(path))
        except EngineError as e:
            abort(400, f"{name} is not a valid scenario: {e}")

    @app.get("/")
    def index():
        return render_template("index.html", scenarios=scenario_files(config.scenarios),
                               jobs=runner.listing()[:10])

    @app.get("/scenarios/<name>")
    def scenario(name):
        base = base_of(name)
        return render_template("scenario.html", base=base, form={}, errors={}, warnings={},
                               rows=3, saved=None, text=None)

    @app.get("/scenarios/<name>/file")
    def scenario_file(name):
        path = inside(config.scenarios, name)
        return send_file(path, mimetype="text/plain", as_attachment=True, download_name=name)

    @app.post("/scenarios/<name>/whatif")
    def build_whatif(name):
        base = base_of(name)
        form = request.form
        action = form.get("action", "validate")
        if action not in ("validate", "run"):
            abort(400, "unknown action")
        rows = max(3, min(wi.MAX_TIMELINE, _int(form.get("timeline-count"), 3)))
        what_if, errors = wi.read_form(form, base)
        warnings = wi.FormErrors()
        saved = text = None
        if what_if is not None:
            text = what_if.text
            file_name = slug(what_if.name) + ".toml"
            try:
                target = new_path(config.scenarios, file_name)
            except NotAllowed:
                errors.add("name", "choose another name")
                target = None
            if target is not None and target.exists() and not _written_by_app(target):
                errors.add("name", f"{file_name} is a scenario of the folder not written here: choose another name")
            elif target is not None and file_name == name:
                errors.add("name", "that is the base's own file name: choose another name")
            elif target is not None:
                valid, messages, validated = _validate_text(engine, config.scenarios, text)
                wi.place_messages(messages, what_if, validated, errors, warnings)
                if valid and not errors:
                    _write(target, text)
                    saved = file_name
        status = 200 if not errors else 422
        if saved and action == "run":
            try:
                job = _submit_compare(config, runner, base.file, saved, what_if)
            except QueueFull as e:
                errors.add("form", str(e))
                status = 429
            else:
                return redirect(url_for("job_page", job_id=job.id), 303)
        return render_template("scenario.html", base=base, form=form, errors=errors, warnings=warnings,
                               rows=rows, saved=saved, text=text), status

    @app.post("/scenarios/upload")
    def upload():
        file = request.files.get("scenario")
        if file is None or not file.filename:
            abort(400, "choose a scenario file")
        data = file.stream.read(MAX_SCENARIO_BYTES + 1)
        if len(data) > MAX_SCENARIO_BYTES:
            abort(413)
        name = slug(pathlib.Path(file.filename).stem, "uploaded") + ".toml"
        target = new_path(config.scenarios, name)
        problem = _upload_problem(data, config.scenarios)
        if target.exists():
            problem = problem or f"there is already a scenario {name}: rename the file"
        if problem is None:
            valid, messages, _ = _validate_text(engine, config.scenarios, data.decode("utf-8"))
            if not valid:
                problem = "; ".join(str(m) for m in messages if not m.warning)
        if problem:
            return render_template("error.html", title="Not taken", message=f"{file.filename}: {problem}"), 422
        _write(target, data.decode("utf-8"))
        return redirect(url_for("scenario", name=name), 303)

    # ------------------------------------------------------------------ runs

    def job_of(job_id: str) -> Job:
        plain_name(job_id)
        job = runner.jobs.get(job_id)
        if job is None:
            raise NotAllowed(job_id)
        return job

    @app.get("/jobs/<job_id>")
    def job_page(job_id):
        job = job_of(job_id)
        return render_template("job.html", job=job, position=runner.position(job_id))

    @app.get("/jobs/<job_id>/status")
    def job_status(job_id):
        job = job_of(job_id)
        return jsonify({**job.public(), "position": runner.position(job_id),
                        "result": url_for("result", job_id=job_id) if job.status == "done" else None})

    @app.post("/jobs/<job_id>/cancel")
    def job_cancel(job_id):
        job_of(job_id)
        runner.cancel(job_id)
        return redirect(url_for("job_page", job_id=job_id), 303)

    @app.get("/results")
    def results():
        return render_template("results.html", jobs=runner.listing())

    @app.get("/results/<job_id>")
    def result(job_id):
        job = job_of(job_id)
        if job.status != "done" or "report" not in job.files:
            return redirect(url_for("job_page", job_id=job_id), 303)
        report = inside(runner.folder(job_id), job.files["report"]).read_text(encoding="utf-8")
        bar = render_template("result_bar.html", job=job)
        return report.replace("<body>", "<body>\n" + bar, 1)

    @app.get("/results/<job_id>/download/<kind>")
    def download(job_id, kind):
        job = job_of(job_id)
        if kind not in DOWNLOADS or DOWNLOADS[kind][0] not in job.files:
            raise NotAllowed(kind)
        key, mimetype = DOWNLOADS[kind]
        path = inside(runner.folder(job_id), job.files[key])
        name = path.name if kind == "toml" else f"{job_id}-{path.name}"
        return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)

    # ------------------------------------------------------------------ the staffing solver

    @app.get("/staffing")
    def staffing():
        chosen = request.args.get("base") or ""
        base = base_of(chosen) if chosen else None
        return render_template("staffing.html", scenarios=scenario_files(config.scenarios), base=base,
                               targets=STAFF_TARGETS, staff_grades=STAFF_GRADES, form={}, errors={})

    @app.post("/staffing")
    def staffing_run():
        form = request.form
        base = base_of(form.get("base") or "")
        errors = wi.FormErrors()
        targets = _staff_targets(form, base, errors)
        grades = [g for g in form.getlist("grades") if g in STAFF_GRADES]
        if not grades:
            errors.add("grades", "choose at least one grade that may gain posts")
        ldus = form.getlist("ldus")
        names = [ldu["name"] for ldu in base.ldus]
        if any(n not in names for n in ldus):
            errors.add("ldus", "not an LDU of the base")
        reps = _int(form.get("replications"), None)
        if reps is None or not wi.MIN_REPLICATIONS <= reps <= wi.MAX_REPLICATIONS:
            errors.add("replications", f"from {wi.MIN_REPLICATIONS} to {wi.MAX_REPLICATIONS} replications")
        max_added = _int(form.get("max_added"), None)
        if max_added is None or not 1 <= max_added <= 1000:
            errors.add("max_added", "from 1 to 1000 posts")
        status = 422
        if not errors:
            try:
                job = _submit_staff(config, runner, base.file, targets, grades, ldus, reps, max_added)
            except QueueFull as e:
                errors.add("form", str(e))
                status = 429
            else:
                return redirect(url_for("job_page", job_id=job.id), 303)
        return render_template("staffing.html", scenarios=scenario_files(config.scenarios), base=base,
                               targets=STAFF_TARGETS, staff_grades=STAFF_GRADES, form=form,
                               errors=errors), status

    app.jinja_env.filters["pct"] = lambda x: "–" if x is None else f"{100 * x:.0f}%"
    app.jinja_env.globals["messages"] = _messages_html
    return app


# ---------------------------------------------------------------------- helpers

def _int(text, default):
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def _messages_html(errors, warnings, field):
    out = []
    for kind, found in (("error", errors), ("warning", warnings)):
        for text in (found or {}).get(field, []):
            out.append(Markup('<span class="msg {}" data-for="{}">{}</span>').format(kind, field, text))
    return Markup("").join(out)


def _written_by_app(path: pathlib.Path) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().rstrip("\n") == wi.HEADER
    except (OSError, UnicodeDecodeError):
        return False


def _write(target: pathlib.Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".caseload-web-", suffix=".tmp", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, target)


def _validate_text(engine: Engine, folder: pathlib.Path, text: str):
    """Validate a scenario's text as if it were a file of the folder (so that `extends` finds its
    base): (valid, the loader's messages, the path they name the text by)."""
    if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
        from .engine import Message
        return False, [Message(f"the scenario is larger than {MAX_SCENARIO_BYTES // 1024} KiB")], None
    fd, tmp = tempfile.mkstemp(prefix=".caseload-web-", suffix=".toml", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        valid, messages = engine.validate(pathlib.Path(tmp))
        return valid, messages, tmp
    finally:
        os.unlink(tmp)


def _upload_problem(data: bytes, folder: pathlib.Path) -> str | None:
    """Why an uploaded scenario is not taken, before the loader sees it: not UTF-8 TOML, a base
    outside the folder, or files named in it (a snapshot), which the app does not take."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        return f"not a TOML file in UTF-8 ({e})"
    extends = doc.get("extends")
    if extends is not None:
        try:
            inside(folder, str(extends))
        except NotAllowed:
            return "'extends' must name a scenario file of this folder"
    if isinstance(doc.get("initial_state"), dict):
        return "a scenario that starts from snapshot files cannot be uploaded: put it and its files in the folder"
    return None


def _submit_compare(config: Config, runner: Runner, base: str, variant: str, what_if: wi.WhatIf) -> Job:
    runner.check_room()
    job_id, folder = runner.new_folder(what_if.name)
    (folder / variant).write_text(what_if.text, encoding="utf-8")
    out = folder / "comparison.h5"
    argv = [str(config.binary), "compare", base, variant, "-o", str(out), "-r", str(what_if.replications)]
    job = Job(job_id, "compare", what_if.name, base, variant, argv, now(),
              files={"h5": out.name, "toml": variant})
    return runner.submit(job)


def _staff_targets(form, base: wi.Base, errors: wi.FormErrors) -> list[str]:
    targets = []
    names = [ldu["name"] for ldu in base.ldus]
    for figure, sense, _default, unit in STAFF_TARGETS:
        if form.get(f"target-{figure}") not in ("on", "1"):
            continue
        text = (form.get(f"value-{figure}") or "").strip()
        try:
            value = float(text)
        except ValueError:
            errors.add(f"value-{figure}", "give a number")
            continue
        if unit == "share":
            if not 0 <= value <= 100:
                errors.add(f"value-{figure}", "a percentage from 0 to 100")
                continue
            value = value / 100
        elif not 0 <= value <= 1e6:
            errors.add(f"value-{figure}", "out of range")
            continue
        scope = form.get(f"scope-{figure}") or ""
        if scope and scope not in names:
            errors.add(f"scope-{figure}", "not an LDU of the base")
            continue
        targets.append(f"{scope + ':' if scope else ''}{figure}{sense}{value:g}")
    if not targets and not errors:
        errors.add("targets", "choose at least one target")
    return targets


def _submit_staff(config, runner, base, targets, grades, ldus, reps, max_added) -> Job:
    runner.check_room()
    title = f"staffing {pathlib.Path(base).stem}"
    job_id, folder = runner.new_folder(title)
    out = folder / "staffing.h5"
    argv = [str(config.binary), "staff", base, "-o", str(out), "-r", str(reps), "--max-added", str(max_added),
            "--grades", ",".join(grades)]
    for t in targets:
        argv += ["--target", t]
    for ldu in ldus:
        argv += ["--ldu", ldu]
    job = Job(job_id, "staff", title, base, None, argv, now(), files={"h5": out.name})
    return runner.submit(job)
