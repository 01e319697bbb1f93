/**
 * GET /widget-demo?client_key=pk_live_…&api=<server url>[&agent_id=…]: a tiny page that calls
 * POST <api>/api/v1/widget/auth/guest from the browser and writes "guest session ok" or the error text into
 * #status. Served on two loopback names (127.0.0.1 vs localhost) it shows Origin enforcement end to end.
 * Parameters are read in the browser only; nothing is interpolated into the HTML.
 */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Kataven widget demo</title></head>
<body>
<h1>Kataven widget demo</h1>
<p>Origin: <code id="origin"></code></p>
<p id="status">pending</p>
<script>
(async () => {
  const status = document.getElementById("status");
  document.getElementById("origin").textContent = location.origin;
  const q = new URLSearchParams(location.search);
  const clientKey = q.get("client_key");
  const api = (q.get("api") || location.origin).replace(/\\/+$/, "");
  if (!clientKey) { status.textContent = "missing ?client_key="; return; }
  const body = { client_key: clientKey };
  if (q.get("agent_id")) body.agent_id = q.get("agent_id");
  try {
    const res = await fetch(api + "/api/v1/widget/auth/guest", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.ok) {
      const data = await res.json();
      status.textContent = data && data.token ? "guest session ok" : "unexpected response";
    } else {
      status.textContent = res.status + " " + (await res.text());
    }
  } catch (err) {
    status.textContent = "request failed: " + err;
  }
  status.dataset.done = "1";
})();
</script>
</body>
</html>
`;
}
