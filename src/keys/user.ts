/**
 * The `user` key provider: the key lives outside the project, in the user's config folder,
 * `${XDG_CONFIG_HOME:-$HOME/.config}/hush/keys/<project-id>/<env>.key` (0600, in folders made 0700).
 * hush.yaml holds only the project id, so no file under the project folder opens the store: an
 * agent working in the repo, a backup of the repo or a `cp -r` gets ciphertext only.
 *
 * ```yaml
 * project: billing-7f3a9c21          # written by `hush init`; names the key folder
 * keys:
 *   prod: { provider: user }         # or { provider: user, project: other-id }
 * ```
 *
 * What it does not stop: any process running as the same user (including an agent run under your
 * account) can read the key file, as it can read your ssh keys. A passphrase or a KMS stops that
 * (docs/keys.md).
 */
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { HushError } from "../errors.js";
import { checkPrivate } from "../fs/permissions.js";
import { kindOf, type OptionField } from "../config/options-schema.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderContext } from "./provider.js";
import { createFileBackedProvider } from "./_file-backed.js";

/** Options of the `user` provider. */
export interface UserKeyProviderOptions {
  /** The project id that names the key folder. @default hush.yaml's top-level `project:` */
  project?: string;
}

/** A project id: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64 characters. */
export const PROJECT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The option field of a project id (also hush.yaml's top-level `project:`). */
export const projectIdField: OptionField<string, false> = {
  docType: "project id",
  description: "names the key folder under ~/.config/hush/keys/; defaults to hush.yaml's top-level `project:`",
  check(value, path, add) {
    if (typeof value === "string" && PROJECT_ID_PATTERN.test(value)) return value;
    add(path, `expected a project id (lower-case letters, digits, '.', '_' or '-', at most 64 characters), got ${typeof value === "string" ? "another string" : kindOf(value)}.`);
    return undefined;
  },
};

/** `provider: user` in hush.yaml. */
export const userKeyProviderType = defineKeyProviderType({
  type: "user",
  summary: "a key file in your config folder (~/.config/hush/keys/<project>/<env>.key), outside the project",
  options: { project: projectIdField },
  create: (options, context) => createUserKeyProvider(options, context),
});

const PROVIDER_TYPE = "user";

/** The folder of a project's keys: `${XDG_CONFIG_HOME:-$HOME/.config}/hush/keys/<project>`. */
export function userKeyFolder(project: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!PROJECT_ID_PATTERN.test(project)) throw new HushError("CONFIG_INVALID", "The project id is not valid: lower-case letters, digits, '.', '_' or '-', at most 64 characters.");
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), ".config");
  return join(base, "hush", "keys", project);
}

/** Creates the `user` provider of `context.environment`. */
export function createUserKeyProvider(options: UserKeyProviderOptions, context: KeyProviderContext): KeyProvider {
  const project = options.project ?? context.project;
  if (project === undefined) {
    throw new HushError("CONFIG_INVALID", `The user key provider of ${context.environment} needs a project id.`, { hint: "Add `project: <id>` at the top of hush.yaml (hush init writes one)." });
  }
  const folder = userKeyFolder(project, context.env ?? process.env);
  return createFileBackedProvider({
    type: PROVIDER_TYPE,
    path: join(folder, `${context.environment}.key`),
    ensureFolder: () => ensurePrivateFolder(folder),
    context,
  });
}

// --- internal ---

/**
 * Makes `<config>/hush/keys/<project>`, each folder it creates 0700 (the mode is given to mkdir,
 * never widened by a chmod), then checks the project folder is private and ours.
 */
function ensurePrivateFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot create the key folder ${folder}.`, { cause: e });
  }
  checkPrivate(folder, "dir", "strict");
}
