// Polls a background job's status and updates the progress bar (no framework needed).
(function () {
  const root = document.getElementById("job");
  if (!root) return;
  const url = root.dataset.statusUrl;
  const el = (id) => document.getElementById(id);
  function render(data) {
    el("job-status").textContent = data.status_display;
    el("job-message").textContent = data.message;
    el("job-bar").style.width = data.percent + "%";
    el("job-done").textContent = data.done;
    el("job-total").textContent = data.total;
    el("job-download").hidden = !data.has_output;
    if (data.errors.length) {
      const box = el("job-errors");
      box.textContent = "";
      const h = document.createElement("h3");
      h.className = "qd-h2";
      h.textContent = "错误（共" + data.error_count + "条）";
      const ol = document.createElement("ol");
      data.errors.forEach((e) => { const li = document.createElement("li"); li.textContent = e; ol.appendChild(li); });
      box.append(h, ol);
    }
    return data.status === "queued" || data.status === "running";
  }
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => { if (render(data)) setTimeout(poll, 1000); })
      .catch(() => setTimeout(poll, 3000));
  }
  poll();
})();
