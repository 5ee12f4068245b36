// Import progress: polls the job's status and updates the page; reloads it when the job ends so
// the result (or the refusal) is shown. Without JavaScript the page's Refresh button does the same.
const box = document.getElementById("import-progress");
if (box) {
  const url = box.dataset.statusUrl;
  const bar = document.getElementById("import-progress-bar");
  const message = document.getElementById("import-progress-message");
  const refresh = document.getElementById("import-refresh");
  if (refresh) refresh.hidden = true;
  let failures = 0;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(response.statusText);
      const job = await response.json();
      failures = 0;
      bar.value = job.percent;
      bar.textContent = `${job.percent}%`;
      message.textContent = `${job.status_label}${job.message ? ": " + job.message : ""} (${job.percent}%)`;
      if (job.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      failures += 1;
      if (failures > 5) {
        if (refresh) refresh.hidden = false;
        message.textContent = "Progress could not be checked. Use Refresh to see how the import is going.";
        return;
      }
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
}
