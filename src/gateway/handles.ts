/**
 * Handles: the per-run, per-route tokens a child holds in place of a key (`hush_h_` + base64url
 * of 32 random bytes). A handle opens one route of one running gateway and nothing else; it is
 * worthless once the gateway stops. Compared in constant time over fixed-length digests, so
 * neither the length nor the content of a guess leaks through timing.
 */
import * as crypto from "node:crypto";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { RouteAuth } from "./types.js";

/** What every handle starts with (a scanner and a reader can tell it from a key). */
export const HANDLE_PREFIX = "hush_h_";

/** A new random handle. */
export function createHandle(): string {
  return HANDLE_PREFIX + randomBytes(32).toString("base64url");
}

/** A handle as kept for checking: its SHA-256 digest only. */
export interface HandleCheck {
  matches(candidate: string | undefined): boolean;
}

/** Checks candidates against `handle` in constant time (digests of equal length). */
export function handleCheck(handle: string): HandleCheck {
  const expected = digest(handle);
  return {
    matches(candidate) {
      if (candidate === undefined || candidate.length > 512) return false;
      return timingSafeEqual(digest(candidate), expected);
    },
  };
}

/**
 * The credentials a request presents where SDKs send a key: `Authorization: Bearer`, the route's
 * own header, and either half of HTTP Basic (Stripe-style SDKs send the key as the user name).
 */
export function presentedCredentials(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, auth: RouteAuth): string[] {
  const out: string[] = [];
  const authorization = single(headers.authorization);
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer) out.push(bearer[1]!);
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0) out.push(decoded.slice(0, colon), decoded.slice(colon + 1));
    }
  }
  if (auth.kind === "header") {
    const own = single(headers[auth.header.toLowerCase()]);
    if (own !== undefined) out.push(own.trim());
  }
  return out.filter((c) => c.length > 0);
}

// --- internal ---

/** One-shot `crypto.hash` (Node >= 20.12) saves a Hash object per request; older Node uses createHash. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "buffer") => Buffer }).hash;

function digest(text: string): Buffer {
  return oneShotHash ? oneShotHash("sha256", text, "buffer") : createHash("sha256").update(text, "utf8").digest();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}
