/** What a source's test file gives the conformance suite: a way to make fresh instances and act on them. */
import type { SecretSource } from "../../../src/types.js";

/** One fresh, empty source and the ways the suite acts on it from outside. */
export interface ConformanceInstance {
  source: SecretSource;
  /** Stores values as the source's users would (env object, .env file, set(), a Python write). */
  seed(values: Record<string, string>): Promise<void>;
  /** Makes the next reads fail (corrupt file, wrong key, backend down...). Omit when the source cannot fail. */
  breakIt?(): Promise<void>;
  /** Backend states that remote sources have and the suite must see handled. */
  faults?: {
    /** From now on the backend refuses reads of `name` (HTTP 401/403, a policy). */
    deny?(name: string): Promise<void>;
    /** Soft-deletes or destroys the latest version of `name` (Vault `deletion_time` / `destroyed`). */
    deleteLatest?(name: string): Promise<void>;
    /** The next request gets HTTP 429 with `Retry-After: <seconds>`; the backend answers again after it. */
    rateLimit?(retryAfterSeconds: number): Promise<void>;
    /** The next `count` requests fail with 5xx (500, 502, 503 in turn); `Infinity`: every request, until `heal()`. */
    serverErrors?(count: number): Promise<void>;
    /** Every request takes longer than the source's timeout, until `heal()`. */
    slow?(): Promise<void>;
    /** Every reply is cut JSON, until `heal()`. */
    malformed?(): Promise<void>;
    /** The credential the source holds expires; says what the source must then do: log in again, or fail as denied. */
    expireToken?(): Promise<"relogin" | "denied">;
    /** Ends the faults above that last until healed. */
    heal?(): Promise<void>;
  };
  /** Removes what `create` made (temp folders...). */
  cleanup(): Promise<void>;
}

/** How the suite makes a source: a fresh, empty instance per case. */
export interface ConformanceHarness {
  create(): Promise<ConformanceInstance>;
}
