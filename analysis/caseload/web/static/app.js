// The planner's desk: a live progress bar for a run, and more rows for the timeline. Nothing else;
// every page works without it (the run page then reloads itself).
(function () {
  "use strict";

  // The run page: poll the status, move the bar, open the result when it is ready.
  const job = document.getElementById("job");
  if (job) {
    const url = job.dataset.statusUrl;
    const final = ["done", "failed", "cancelled", "interrupted"];
    const text = (id, value) => { const el = document.getElementById(id); if (el) el.textContent = value; };
    const poll = () => {
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then((r) => r.json())
        .then((s) => {
          document.getElementById("progress").value = s.progress;
          text("percent", Math.round(100 * s.progress) + "%");
          text("status", s.status);
          text("phase", s.phase);
          text("position", s.position ? "(number " + s.position + " in the queue)" : "");
          const message = document.getElementById("message");
          message.textContent = s.message;
          message.className = s.status === "failed" ? "error" : "";
          if (final.includes(s.status)) {
            const cancel = document.getElementById("cancel-form");
            if (cancel) cancel.remove();
            if (s.status === "done" && s.result) {
              document.getElementById("open").hidden = false;
              window.location.assign(s.result);
            }
            return;
          }
          window.setTimeout(poll, 500);
        })
        .catch(() => window.setTimeout(poll, 2000));
    };
    if (!final.includes(job.dataset.status)) poll();
  }

  // The what-if form: "Add a change" copies the last timeline row, empty, with the next index.
  const add = document.getElementById("add-change");
  if (add) {
    add.addEventListener("click", () => {
      const count = document.getElementById("timeline-count");
      const rows = document.querySelectorAll("#timeline tbody tr.timeline-row");
      const n = parseInt(count.value, 10);
      if (n >= 20) return;
      const row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll(".msg").forEach((m) => m.remove());
      row.querySelectorAll("input, select").forEach((el) => {
        el.id = el.id.replace(/^timeline-\d+-/, "timeline-" + n + "-");
        el.name = el.name.replace(/^timeline-\d+-/, "timeline-" + n + "-");
        if (el.type === "checkbox") el.checked = false; else if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
      });
      rows[rows.length - 1].after(row);
      count.value = String(n + 1);
    });
  }
})();

// The what-if form: mark the values changed from the base's, so that a planner sees what the what-if is.
(function () {
  "use strict";
  const form = document.getElementById("whatif-form");
  if (!form) return;
  const mark = (el) => el.classList.toggle("changed", el.value.trim() !== el.dataset.base);
  form.querySelectorAll("input.num[data-base]").forEach((el) => {
    mark(el);
    el.addEventListener("input", () => mark(el));
  });
})();
