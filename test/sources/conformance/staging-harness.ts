/**
 * What a staging source's test file gives the staging conformance suite (./staging.ts): a way to
 * make a fresh instance (a source that can stage, against its fake or store, through the real SDK
 * or client) and the ways the suite acts on its backend from outside.
 */
import type { SecretSource } from "../../../src/types.js";

/** A source with the staging capability (src/types.ts: stage, getPending, promote, discardPending). */
export type StagingSource = SecretSource & Required<Pick<SecretSource, "stage" | "getPending" | "promote" | "discardPending" | "versions" | "set">>;

/** Moments of a case at which a harness may pin its backend's raw state (labels, aliases, marks). */
export type BackendMoment =
  /** `stage(NAME, NEW)` on a current OLD (version 1); also after a refused second stage and after a fault storm. */
  | "staged"
  /** `promote(NAME, 2)` done. */
  | "promoted"
  /** `discardPending(NAME, 2)` done (nothing was written since the stage). */
  | "discarded"
  /** Staged, then `set(NAME, THEIRS)` (version 3), promote refused, then `discardPending(NAME, 2)`. */
  | "overtakenDiscarded"
  /** A promote cut between its steps (`cutPromote`). */
  | "cut"
  /** A stage that another writer overtook (`raceStage`). */
  | "raced";

/** The outcome of {@link StagingInstance.raceStage}. */
export interface RaceOutcome {
  /** Our stage's rejection (the suite checks it is ROTATION_IN_PROGRESS). */
  error: unknown;
  /** The value the backend then holds as pending (the other writer's), or undefined when it holds none. */
  pending: string | undefined;
}

/** One fresh instance: a source holding nothing yet, and the ways the suite acts on it. */
export interface StagingInstance {
  /** The source as hush.yaml builds it (behind its cache where it has one), able to stage. */
  source: StagingSource;
  /** Another handle on the same backend without a cache: what another process (or another app) sees. */
  another(): StagingSource | Promise<StagingSource>;
  /** Writes `value` as the current value of `name` the way other writers do (version 1 of a new name). */
  seed(name: string, value: string): Promise<void>;
  /** Labels of the backend's own that `versions()` shows beside hush's (gcp: `latest`); the suite ignores them. */
  ownLabels?: readonly string[];
  /** True where a promote's reply can be lost (a network or a COMMIT reply): a retried promote must answer the same. */
  replyCanBeLost?: boolean;
  /** True where the source serializes two stages of one name (a lock or a row lock held from check to write). */
  serializesStages?: boolean;
  /** The backend's raw state of `name`, compared with `expected` at the moments it lists. */
  backend?: {
    state(name: string): unknown;
    expected: Partial<Record<BackendMoment, unknown>>;
    /** Requests that write (the suite checks that a retried promote adds none). */
    writes?(): number;
  };
  /**
   * Runs `promote(name, version)` so that its first step lands and the backend is unavailable for
   * the rest (SOURCE_UNAVAILABLE); the backend is reachable again when it returns the rejection.
   */
  cutPromote?(name: string, version: number): Promise<unknown>;
  /**
   * Runs `ours()` (a stage of `name`) so that another writer stages `theirs` inside its window,
   * between its check and its write; returns its rejection and what the backend then holds as pending.
   */
  raceStage?(name: string, ours: () => Promise<unknown>, theirs: string): Promise<RaceOutcome>;
  /** Backend faults that outlast the source's retries (5xx, throttling), by name; `heal` ends them. */
  unavailable?: { faults: Record<string, () => void>; heal(): void };
  /** Removes what `create` made. */
  cleanup(): Promise<void>;
}

/** How the suite makes instances: a fresh one per case. */
export interface StagingHarness {
  create(): Promise<StagingInstance>;
}
