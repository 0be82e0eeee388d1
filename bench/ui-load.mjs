// Load for the ui-flood benchmark: `pollers` clients fetching the REST API back to back and
// `idle` clients holding the event stream open without reading it, until killed.
// Usage: node bench/ui-load.mjs <port> <pollers> <idle>
import { request } from "node:http";

const [port, pollers, idle] = process.argv.slice(2).map(Number);
const paths = ["/api/v1/applications", "/api/v1/applications/x/streaming/statistics", "/api/v1/applications/x/jobs"];
const get = (path) =>
  new Promise((done) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      res.on("end", done);
    });
    req.on("error", done);
    req.end();
  });
for (let i = 0; i < idle; i++) {
  const req = request({ host: "127.0.0.1", port, path: "/events", agent: false }, (res) => res.pause());
  req.on("error", () => {});
  req.end();
}
for (let i = 0; i < pollers; i++)
  void (async () => {
    for (let n = 0; ; n++) await get(paths[n % paths.length]);
  })();
process.stdout.write("ready\n");
