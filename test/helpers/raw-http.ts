/**
 * Raw HTTP/1.1 over a TCP socket, for attack tests that need what no HTTP client sends (an
 * absolute-URL request target, a forged Host, headers dribbled byte by byte) and that assert on
 * every byte the client got back, headers included.
 */
import { connect, type Socket } from "node:net";

/** Everything a server sent back until it closed the connection (or `ms` passed: then `timedOut`). */
export interface RawExchange {
  /** The raw bytes as latin1 text (status line, headers, body as sent). */
  text: string;
  /** The status code of the first response, or 0 when none came. */
  status: number;
  timedOut: boolean;
}

/** Sends `request` (a full HTTP/1.1 message; use `Connection: close`) and reads to the end. */
export function rawExchange(port: number, request: string | Buffer, ms = 15_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => finish(true), ms);
    function finish(timedOut: boolean) {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: match ? Number(match[1]) : 0, timedOut });
    }
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => finish(false));
    socket.on("close", () => finish(false));
    socket.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? finish(false) : reject(e)));
    socket.write(request);
  });
}

/** Opens a socket that sends the start of a request and then nothing more: slowloris. */
export function openStalledRequest(port: number, start: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(start);
      resolve(socket);
    });
    socket.on("error", reject);
  });
}

/** Resolves when `socket` is closed (by the other side), with what it received meanwhile. */
export function closedBy(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve("");
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", () => undefined); // a reset is a close too
  });
}
