/**
 * Bounded, jittered retries for remote sources (FAULTS 17): 429 (honouring `Retry-After`, up to a
 * cap), 5xx and connection errors are tried again a few times; everything else is returned or
 * thrown at once. Each attempt is recorded (operation, outcome, wait), never a value, so `--debug`
 * can show what happened. There is no fallback here: when the retries run out, the last outcome
 * is returned or thrown, and the caller maps it to a typed error.
 *
 * Generic over what an attempt yields: the HTTP client passes replies (a 429 is a reply, not an
 * exception) and SDK-based sources pass the SDK's errors, each with its own `retryOn`.
 *
 * @example
 * const reply = await withRetries(() => http.get(path), { operation: "GET secret/data/app", retryOn: retryHttp });
 */
import { randomUnit } from "./jitter.js";

/** What made an attempt worth repeating, and how long the backend asked to wait. */
export interface RetryDecision {
  /** Short and value-free: `429`, `503`, `ECONNRESET`, `timeout`. */
  reason: string;
  /** The backend's `Retry-After`, in ms, when it gave one. */
  retryAfterMs?: number;
}

/** One attempt, as `--debug` shows it. */
export interface RetryAttempt {
  /** 1 for the first try. */
  attempt: number;
  /** What was tried: a method and a path, a call name. Never a value. */
  operation: string;
  /** `ok`, or the reason it failed (`429`, `ECONNREFUSED`, `timeout`, `404`...). */
  outcome: string;
  /** How long hush waited before the next attempt; absent on the last. */
  waitMs?: number;
}

/** How to retry. Every field has a default, so `{ operation, retryOn }` is enough. */
export interface RetryOptions<T> {
  /** What is being done, for the attempt log (`GET secret/data/app`). */
  operation: string;
  /** Whether a result (`{ value }`) or a failure (`{ error }`) is worth another attempt. */
  retryOn(outcome: { value: T } | { error: unknown }): RetryDecision | undefined;
  /** Most attempts in all, the first included. @default 4 */
  attempts?: number;
  /** First backoff ceiling, doubled on each retry. @default 100 */
  baseDelayMs?: number;
  /** Largest backoff ceiling. @default 2000 */
  maxDelayMs?: number;
  /** Longest `Retry-After` hush waits; a backend asking for more gets no further attempt. @default 10000 */
  maxRetryAfterMs?: number;
  /** Receives each attempt as it ends (the source's `--debug` log). */
  onAttempt?(attempt: RetryAttempt): void;
  /** For tests: replaces the timer. */
  sleep?(ms: number): Promise<void>;
  /** For tests: replaces the uniform [0, 1) draw of the full jitter. */
  random?(): number;
}

/**
 * Runs `attempt` until it yields something `retryOn` does not retry, or the attempts run out.
 * Returns the last value, or throws the last error; the attempts made are on
 * {@link attemptsOf} of a thrown error (for `--debug`).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const max = Math.max(1, options.attempts ?? 4);
  const log: RetryAttempt[] = [];
  const record = (a: RetryAttempt) => {
    log.push(a);
    options.onAttempt?.(a);
  };
  for (let n = 1; ; n++) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await attempt(n) };
    } catch (error) {
      outcome = { error };
    }
    const decision = options.retryOn(outcome);
    const wait = decision && n < max ? delayFor(n, decision, options) : undefined;
    record({ attempt: n, operation: options.operation, outcome: decision?.reason ?? outcomeLabel(outcome), ...(wait !== undefined ? { waitMs: wait } : {}) });
    if (wait === undefined) {
      if ("value" in outcome) return outcome.value;
      throw withAttempts(outcome.error, log);
    }
    await (options.sleep ?? sleep)(wait);
  }
}

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The attempts recorded on an error thrown by {@link withRetries}; empty for any other error. */
export function attemptsOf(error: unknown): readonly RetryAttempt[] {
  const attempts = (error as { [ATTEMPTS]?: RetryAttempt[] } | undefined)?.[ATTEMPTS];
  return Array.isArray(attempts) ? attempts : [];
}

/** One line per attempt: `attempt 1 GET secret/data/app: 429, waited 1000 ms`. Never a value. */
export function formatAttempts(attempts: readonly RetryAttempt[]): string {
  return attempts.map((a) => `attempt ${a.attempt} ${a.operation}: ${a.outcome}${a.waitMs !== undefined ? `, waited ${a.waitMs} ms` : ""}`).join("\n");
}

// --- internal ---

const ATTEMPTS = Symbol.for("hush.retryAttempts");

/** The wait before attempt `n + 1`, or undefined when the backend asks for more than the cap. */
function delayFor<T>(n: number, decision: RetryDecision, options: RetryOptions<T>): number | undefined {
  const random = options.random ?? randomUnit;
  if (decision.retryAfterMs !== undefined) {
    if (decision.retryAfterMs > (options.maxRetryAfterMs ?? 10_000)) return undefined;
    // A little jitter on top, so many clients told the same second do not return at once.
    return Math.round(decision.retryAfterMs + random() * Math.min(250, decision.retryAfterMs * 0.1 + 10));
  }
  const ceiling = Math.min(options.maxDelayMs ?? 2000, (options.baseDelayMs ?? 100) * 2 ** (n - 1));
  return Math.round(random() * ceiling); // full jitter
}

function outcomeLabel(outcome: { value: unknown } | { error: unknown }): string {
  if ("value" in outcome) {
    const status = (outcome.value as { status?: unknown } | undefined)?.status;
    return typeof status === "number" ? String(status) : "ok";
  }
  const e = outcome.error as { code?: unknown; name?: unknown } | undefined;
  return typeof e?.code === "string" ? e.code : typeof e?.name === "string" ? e.name : "error";
}

/** Keeps the attempt log on the error (a symbol property: not in its message, JSON or String()). */
function withAttempts(error: unknown, log: RetryAttempt[]): unknown {
  if (typeof error === "object" && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, ATTEMPTS, { value: [...log], enumerable: false, configurable: true });
  }
  return error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
