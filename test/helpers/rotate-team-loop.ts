/**
 * Child process for the team re-key crash test (bundled by test/helpers/bundle.ts): re-keys the
 * `team`-keyed prod store of <root> over and over as the member whose HOME is <home>, printing
 * "rotated" after each. Usage: rotate-team-loop <root> <home>
 */
import { join } from "node:path";
import { rotateTeamKey } from "../../src/keys/rotate-team.js";

const [root, home] = process.argv.slice(2);
const context = { root: root!, secretsDir: join(root!, ".secrets"), environment: "prod", env: { HOME: home!, USER: "alice" }, onWarning: () => undefined };
for (;;) {
  await rotateTeamKey({ context, lockTimeoutMs: 60_000 });
  process.stdout.write("rotated\n");
}
