/**
 * A plain-HTTP upstream on 127.0.0.1 for the gateway's own tests (the HTTPS fakes of the
 * providers, with their documented request shapes, are G3's). It records every request (the
 * real key arrives in its headers) and answers by path:
 *
 * - `/stream`: server-sent events, one `data:` line per `push()` of the test, ended by `end()`;
 * - `/echo-key`: echoes the Authorization / x-api-key header in a header and in the body, split
 *   across several writes (the gateway must remove it);
 * - `/redirect-out`: 302 to another origin; `/redirect-in`: 302 to the same origin;
 * - `/gzip`: a compressed reply;
 * - `/break`: a reply cut off mid-body (the connection is destroyed);
 * - anything else: `200 {"ok":true,"path":...}`.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeUpstream {
  url: string;
  requests: UpstreamRequest[];
  /** Sends one SSE event to the open `/stream` replies. */
  push(data: string): void;
  /** Ends the open `/stream` replies. */
  end(): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const requests: UpstreamRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      const path = (req.url ?? "").split("?")[0];
      const key = String(req.headers.authorization ?? req.headers["x-api-key"] ?? "").replace(/^Bearer /, "");
      if (path === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.flushHeaders();
        streams.add(res);
        res.on("close", () => streams.delete(res));
        return;
      }
      if (path === "/echo-key") {
        res.writeHead(200, { "content-type": "text/plain", "x-echo": `key=${key}`, "x-echo-b64": Buffer.from(key).toString("base64") });
        const text = `your key is ${key}. again: ${key}; base64: ${Buffer.from(key).toString("base64")}\n`;
        // Cut inside the key, so the gateway sees it split across chunks.
        const cuts = [3, 15, 16, 30, text.length];
        let at = 0;
        const next = () => {
          const cut = cuts.shift();
          if (cut === undefined) return void res.end();
          res.write(text.slice(at, cut));
          at = cut;
          setTimeout(next, 5);
        };
        return next();
      }
      if (path === "/redirect-out") return void res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end();
      if (path === "/redirect-in") return void res.writeHead(302, { location: "/v1/elsewhere?x=1" }).end();
      if (path === "/break") {
        res.writeHead(200, { "content-type": "text/plain", "content-length": "1000" });
        res.write("partial ");
        return void setTimeout(() => res.socket?.destroy(), 20);
      }
      if (path === "/gzip") return void res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(`key ${key}`));
      const body = JSON.stringify({ ok: true, path });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    push: (data) => {
      for (const s of streams) s.write(`data: ${data}\n\n`);
    },
    end: () => {
      for (const s of streams) s.end();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
