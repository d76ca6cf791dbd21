/**
 * What a key provider's test file gives the key-provider conformance suite: a way to make a fresh,
 * empty provider (its own storage: a temp folder, a variable map, a fake KMS) and act on it from
 * outside.
 */
import type { KeyProvider } from "../../../src/keys/provider.js";

/** Backend states a provider must turn into typed errors. Each is applied after a key was stored. */
export interface KeyFaults {
  /** What is stored now opens with another key (another passphrase, another KMS key): load must throw WRONG_KEY. */
  wrongKey?(): Promise<void>;
  /** The stored key is damaged (garbage bytes, a cut-short file or blob): load throws, never KEY_MISSING. */
  corrupt?(): Promise<void>;
  /** The key (or its folder) becomes readable by others: load throws INSECURE_PERMISSIONS. */
  laxPermissions?(): Promise<void>;
  /** The backend refuses (HTTP 401/403, a KMS policy): load throws ACCESS_DENIED. */
  deny?(): Promise<void>;
  /** The backend cannot be reached (connection refused, timeout): load throws SOURCE_UNAVAILABLE. */
  unreachable?(): Promise<void>;
}

/** One fresh provider with nothing stored, and the ways the suite acts on it. */
export interface KeyConformanceInstance {
  provider: KeyProvider;
  /**
   * A new provider over the same storage, as another process would make it (nothing cached).
   * Fault cases load through it, so a cache cannot hide the fault.
   */
  reopen(): KeyProvider | Promise<KeyProvider>;
  /**
   * Stores a 44-character key as users do. Omit it when `provider.save` is the way (the default);
   * a read-only provider (`env`) sets its variable here.
   */
  store?(key: string): Promise<void>;
  /** True when `provider.save` refuses (READ_ONLY) because the key is put in place by hand (`env`). */
  readOnly?: boolean;
  faults?: KeyFaults;
  /** Backend calls made so far (KMS decrypts, file reads): lets the `cached` case count them. */
  calls?(): number;
  /** Other strings that must never appear in an error or output (passphrases, KMS tokens). */
  secrets?: string[];
  /** Removes what `create` made (temp folders, fake servers...). */
  cleanup(): Promise<void>;
}

/** How the suite makes a provider: a fresh instance per case. */
export interface KeyConformanceHarness {
  create(): Promise<KeyConformanceInstance>;
}
