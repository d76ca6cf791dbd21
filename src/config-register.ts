/**
 * `node --import hush-secrets/config app.js`: loads the secrets into `process.env`, as `dotenv/config`
 * does, following hush.yaml (found upward from the working directory: sources, environment,
 * declared secrets). Existing variables win. Every name the chain lists and every name
 * hush.yaml declares is resolved; problems are reported on stderr by name, never by value.
 * A required secret (hush.yaml `required: true`) that nothing provides is reported, and stops
 * start-up when `HUSH_STRICT=1`. `HUSH_KEY_*` and `HUSH_PASSPHRASE` are removed from `process.env`.
 */
import { ERROR_CODES, HushError, type HushErrorCode } from "./errors.js";
import { envName } from "./names.js";
import { openConfiguredManager } from "./config/open.js";
import { KEY_CARRIER_VARIABLE } from "./run/child-env.js";

const { manager, loaded } = await openConfiguredManager({ env: process.env });
const declared = Object.keys(loaded.config.secrets);
const listed = await manager.names();
const { secrets, issues } = await manager.resolve([...new Set([...listed, ...declared])]);
await manager.dispose();
for (const record of Object.values(secrets)) {
  const variable = envName(record.name);
  if (process.env[variable] !== undefined) continue;
  // An environment variable cannot hold a NUL byte (it would be cut there): say so, by name.
  if (record.value.includes("\0")) process.stderr.write(`hush: ${record.name} not loaded: its value contains a NUL byte, which an environment variable cannot hold.\n`);
  else process.env[variable] = record.value;
}
// The app runs in this process: the key carriers (`HUSH_KEY_*`, `HUSH_PASSPHRASE`) leave its
// environment once the secrets are loaded, as `hush run` never passes them to its child.
for (const variable of Object.keys(process.env)) if (KEY_CARRIER_VARIABLE.test(variable)) delete process.env[variable];
const problems = issues.filter((i) => i.code !== "NOT_FOUND" || loaded.config.secrets[i.name]?.required);
for (const issue of problems) process.stderr.write(`hush: ${issue.message}\n`);
if (problems.length > 0 && process.env.HUSH_STRICT === "1") {
  const first = problems.find((p) => p.code !== "NOT_FOUND")?.code ?? "NOT_FOUND";
  const code: HushErrorCode = (ERROR_CODES as string[]).includes(first) ? (first as HushErrorCode) : "INTERNAL";
  throw new HushError(code, `hush-secrets/config: ${problems.length} secret(s) could not be resolved (HUSH_STRICT=1): ${problems.map((p) => p.name).join(", ")}.`);
}
