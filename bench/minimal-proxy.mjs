// The floor of any local gateway, for bench/gateway.bench.mjs: a bare node:http server that
// forwards each request to the upstream over a keep-alive node:https agent trusting the given CA,
// with the key set in Authorization, and pipes the reply back. No handle check, policy, redaction
// or audit. argv: upstream URL, CA file; the key in PROXY_KEY (never argv); prints {url} as one
// JSON line; runs until stdin ends.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";

const [upstreamUrl, caFile] = process.argv.slice(2);
const key = process.env.PROXY_KEY;
const upstream = new URL(upstreamUrl);
const agent = new https.Agent({ keepAlive: true, ca: readFileSync(caFile) });
const server = http.createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${key}` };
  delete headers.connection;
  const out = https.request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url.replace(/^\/openai/, ""), headers, agent }, (reply) => {
    res.writeHead(reply.statusCode, reply.headers);
    reply.pipe(res);
  });
  out.on("error", () => res.destroy());
  req.pipe(out);
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
