/** A temporary project with gateway routes to the plain-HTTP fake upstream, for the gateway's tests. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/** A key-shaped test value, random per run (searched for in every output). */
export function testKey(prefix = "sk_test_"): string {
  return `${prefix}${randomBytes(18).toString("base64url")}`;
}

/** Writes hush.yaml with `gateway` (YAML text indented under `gateway:`) in a new folder. */
export function tempProject(yaml: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hush-gateway-"));
  writeFileSync(join(dir, "hush.yaml"), yaml);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When each chunk of the body arrived (ms since the request). */
  chunks: { at: number; text: string }[];
}

/** One HTTP request with exactly these headers (no Host added unless given: `host` in headers). */
export function rawRequest(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; setHost?: boolean }): Promise<RawReply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = request({ hostname: u.hostname, port: u.port, method: options.method ?? "GET", path: options.path, headers: options.headers, setHost: options.setHost ?? true, agent: false }, (res) => {
      const chunks: { at: number; text: string }[] = [];
      res.on("data", (c: Buffer) => chunks.push({ at: Date.now() - started, text: c.toString("utf8") }));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.map((c) => c.text).join(""), chunks }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
