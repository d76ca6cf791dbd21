/**
 * The rotator interface: what `hush rotate NAME` drives through the four steps of a rotation
 * (the AWS Secrets Manager model, docs/rotation.md):
 *
 * 1. `create`: make the new value (the workflow stores it as the `pending` version);
 * 2. `set`: apply it in the target system (a database role, a provider, a file);
 * 3. `test`: check that the new value works there;
 * 4. finish: the workflow promotes `pending` to `current` (no rotator method);
 *
 * then, after the grace period, `revoke` invalidates the old value in the target. Every step but
 * `create` is optional: its absence means "nothing to do here" (the `random` rotator has no target).
 *
 * A rotator module exports ONE {@link RotatorDescriptor} (as sources do, src/sources/descriptor.ts);
 * the registry (./registry.ts) lists them, and hush.yaml names one per secret:
 *
 * ```yaml
 * secrets:
 *   session_secret:
 *     rotator: { type: random, length: 48 }
 * ```
 *
 * Values: a rotator receives and returns values, and must never put one in an error message,
 * a progress line, argv or an environment variable (docs/rotation.md, "What a rotator must not do").
 *
 * @example
 * export const fixedRotatorType = defineRotatorType({
 *   type: "fixed",
 *   summary: "always the same value (tests)",
 *   options: {},
 *   create: () => ({ create: async () => "same" }),
 * });
 */
import type { InferOptions, OptionsSchema } from "../config/options-schema.js";
import type { SecretPolicy } from "../config/types.js";

/** What every rotator factory gets besides its options. */
export interface RotatorContext {
  /** The canonical name of the secret being rotated. */
  name: string;
  /** The environment in effect (`dev`, `prod`, ...). */
  environment: string;
  /** Project folder (of hush.yaml): relative paths in options are resolved against it. */
  root: string;
  /** The secret's entry in hush.yaml, when it has one (type, owner, rotation period). */
  policy?: SecretPolicy;
  /** The process environment a rotator may read (never to pass a value on). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Progress and reminders for the person (never values). */
  onProgress?: (message: string) => void;
  /**
   * Asks the person for a value without echoing it (a hidden prompt, or stdin when it is not a
   * terminal). Absent when nobody can answer (`--yes` in a script without stdin).
   */
  readSecret?: (question: string) => Promise<string>;
}

/** What a step gets: the value it works on, and the one it replaces when there is one. */
export interface RotationValues {
  /** The new value (for `set` and `test`), or the old one (for `revoke`). */
  value: string;
  /** The value being replaced (`set`: the current one, so a target can check it), when known. */
  previous?: string;
}

/** One rotator made from its options: the steps it can do. */
export interface Rotator {
  /** Makes the new value. `current` is the value being replaced, when the source has one. */
  create(current: string | undefined): Promise<string>;
  /** Applies the new value in the target system. Absent: nothing to apply. */
  set?(values: RotationValues): Promise<void>;
  /** Checks that the new value works in the target. Absent: nothing to check. Throws a HushError when it does not. */
  test?(values: RotationValues): Promise<void>;
  /** Invalidates the old value in the target after the grace period. Absent: nothing hush can revoke. */
  revoke?(values: RotationValues): Promise<void>;
  /** What the person must still do by hand once the rotation is finished (e.g. revoke the old key in a console, with its link). */
  reminders?(): string[];
  /** Releases connections. Idempotent. */
  dispose?(): Promise<void>;
}

/** A rotator type as hush.yaml names it: its options schema, its factory and a one-line summary. */
export interface RotatorDescriptor<S extends OptionsSchema = OptionsSchema> {
  /** The `type:` in `secrets.NAME.rotator`: lower-case letters, digits and `-`, at most 32 characters. */
  readonly type: string;
  /** One line for `hush rotate --help` and the docs. */
  readonly summary: string;
  /** The options schema (every key of `rotator:` but `type`); validation and the options' TypeScript type both come from it. */
  readonly options: S;
  /** Makes the rotator from validated options (defaults filled in). Connects lazily. */
  create(options: InferOptions<S>, context: RotatorContext): Rotator | Promise<Rotator>;
}

/** Returns `descriptor` as is; it only lets TypeScript infer the options' type from the schema. */
export function defineRotatorType<const S extends OptionsSchema>(descriptor: RotatorDescriptor<S>): RotatorDescriptor<S> {
  return descriptor;
}

/** The steps of a rotation, in order, as audit records and error messages name them. */
export const ROTATION_STEPS = ["create", "set", "test", "finish", "revoke"] as const;

/** One step of a rotation. */
export type RotationStep = (typeof ROTATION_STEPS)[number];
