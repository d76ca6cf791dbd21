/**
 * Where the gateway listens: 127.0.0.1 on a port (0: a random one), or a Unix socket whose
 * folder is private (created 0700; an existing one must be ours and closed to others) and whose
 * socket file is 0600. The Host header must then name the gateway itself.
 */
import { chmodSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { HushError } from "../errors.js";
import type { Engine } from "./engine.js";
import { createGatewayServer, type ServerLimits } from "./server.js";

/** A listening gateway server. */
export interface Listening {
  /** `http://127.0.0.1:PORT` or `unix:/path`. */
  url: string;
  /** The HTTP base URL a child can use; undefined on a Unix socket. */
  httpUrl: string | undefined;
  close(): Promise<void>;
}

/** Starts the listener. Throws INVALID_ARGUMENT for a bad port, INSECURE_PERMISSIONS for a socket folder others can enter. */
export async function listenGateway(engine: Engine, where: { port?: number; socket?: string }, limits: ServerLimits): Promise<Listening> {
  const hosts = new Set<string>();
  const server = createGatewayServer(engine, hosts, limits);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  if (where.socket !== undefined) {
    const path = where.socket;
    privateFolder(dirname(path));
    rmStaleSocket(path);
    await listen(server, () => server.listen(path));
    chmodSync(path, 0o600);
    for (const h of ["localhost", "127.0.0.1"]) hosts.add(h);
    return { url: `unix:${path}`, httpUrl: undefined, close: () => closeServer(server, sockets, () => rmSync(path, { force: true })) };
  }
  const port = where.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HushError("INVALID_ARGUMENT", "The gateway port must be a whole number from 0 to 65535.");
  await listen(server, () => server.listen(port, "127.0.0.1"));
  const bound = (server.address() as AddressInfo).port;
  for (const h of [`127.0.0.1:${bound}`, `localhost:${bound}`]) hosts.add(h);
  const url = `http://127.0.0.1:${bound}`;
  return { url, httpUrl: url, close: () => closeServer(server, sockets) };
}

export type { ServerResponse };

// --- internal ---

function listen(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(new HushError("INVALID_ARGUMENT", "The gateway could not listen there (address in use or not allowed).", { cause: e })));
    server.once("listening", () => resolve());
    start();
  });
}

function closeServer(server: Server, sockets: Set<Socket>, after?: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      after?.();
      resolve();
    });
    server.closeIdleConnections();
    // Streams in flight end with the gateway.
    for (const s of sockets) s.destroy();
  });
}

function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) {
    throw new HushError("INSECURE_PERMISSIONS", `The socket folder ${dir} must be yours and closed to others (chmod 700).`, { hint: `chmod 700 ${dir}` });
  }
}

function rmStaleSocket(path: string): void {
  try {
    if (statSync(path).isSocket()) rmSync(path);
  } catch (_e) {
    // absent: nothing to remove; anything else fails at listen
  }
}
