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
  };
  /** Removes what `create` made (temp folders...). */
  cleanup(): Promise<void>;
}

/** How the suite makes a source: a fresh, empty instance per case. */
export interface ConformanceHarness {
  create(): Promise<ConformanceInstance>;
}
