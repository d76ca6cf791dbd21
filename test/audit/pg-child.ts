/** Child process of the postgres audit test: one instance of the service reading `count` times. */
import { openConfiguredManager } from "../../src/config/open.js";

const [cwd, count] = process.argv.slice(2) as [string, string];
const { manager } = await openConfiguredManager({ cwd, env: { ...process.env }, actor: { command: `instance ${process.pid}` } });
for (let i = 0; i < Number(count); i++) await manager.get(`secret_${i % 3}`, { required: true });
await manager.dispose();
