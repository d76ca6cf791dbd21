// serveMcpStdio on in-memory streams: JSON-RPC lines in and out; it returns when stdin ends,
// when the transport closes (a message over its size limit), or when its signal aborts.
import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { serveMcpStdio } from "../../src/mcp/serve-stdio.js";
import { createTestGateway, testRoute } from "./test-gateway.js";

const INITIALIZE = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }) + "\n";

function streams() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  return { stdin, stdout, out: () => out };
}

/**
 * Resolves once `check()` holds, looked at again on each chunk the server writes: no polling
 * budget (the first test also loads the MCP SDK, which can take seconds on a loaded machine);
 * the test's timeout bounds it.
 */
function until(stdout: PassThrough, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const look = () => {
      if (!check()) return;
      stdout.off("data", look);
      resolve();
    };
    stdout.on("data", look);
    look();
  });
}

const gateway = createTestGateway([testRoute("fake")], () => ({ body: "ok" }));

describe("serveMcpStdio", () => {
  it("answers on stdout and returns when stdin ends", async () => {
    const io = streams();
    const serving = serveMcpStdio({ gateway, stdin: io.stdin, stdout: io.stdout });
    io.stdin.write(INITIALIZE);
    await until(io.stdout, () => io.out().includes("\n"));
    expect(JSON.parse(io.out())).toMatchObject({ id: 1, result: { serverInfo: { name: "hush" }, capabilities: { tools: {} } } });
    io.stdin.end();
    await expect(serving).resolves.toBeUndefined();
  });

  it("returns when its signal aborts, stdin still open", async () => {
    const io = streams();
    const stop = new AbortController();
    const serving = serveMcpStdio({ gateway, stdin: io.stdin, stdout: io.stdout, signal: stop.signal });
    io.stdin.write(INITIALIZE);
    await until(io.stdout, () => io.out().includes("\n"));
    stop.abort();
    await expect(serving).resolves.toBeUndefined();
  });

  it("returns when the transport gives up on a message over its 10 MB limit", async () => {
    const io = streams();
    const serving = serveMcpStdio({ gateway, stdin: io.stdin, stdout: io.stdout });
    io.stdin.write(Buffer.alloc(11 * 1024 * 1024, 0x61)); // no newline: one message that never ends
    await expect(serving).resolves.toBeUndefined();
  });
});
