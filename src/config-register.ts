/**
 * `node --import hush/config app.js`: resolves every secret the chain knows and puts the ones
 * not already set into `process.env`, as `dotenv/config` does. Existing variables win (the
 * `env` source comes first anyway). Problems are reported on stderr without values; a
 * required secret that is missing stops start-up when `HUSH_STRICT=1`.
 */
import { createSecretsManager } from "./manager.js";
import { envName } from "./names.js";

const manager = createSecretsManager();
const { secrets, issues } = await manager.resolve();
for (const record of Object.values(secrets)) {
  const variable = envName(record.name);
  if (process.env[variable] === undefined) process.env[variable] = record.value;
}
for (const issue of issues) process.stderr.write(`hush: ${issue.message}\n`);
if (issues.length > 0 && process.env.HUSH_STRICT === "1") {
  throw new Error(`hush/config: ${issues.length} secret(s) could not be resolved (HUSH_STRICT=1).`);
}
