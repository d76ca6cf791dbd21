// The gateway under test for bench/gateway.bench.mjs, in its own process: the built library's
// startGateway on the project given as argv[2]; prints {url, env} (the routes' handles and base
// URLs, never a key) as one JSON line, then runs until its stdin closes.
import { pathToFileURL } from "node:url";

const [distIndex, cwd] = process.argv.slice(2);
const { startGateway } = await import(pathToFileURL(distIndex).href);
const gateway = await startGateway({ cwd, env: { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME }, routes: ["openai"], onWarning: (m) => process.stderr.write(`gateway: ${m}\n`) });
process.stdout.write(`${JSON.stringify({ url: gateway.url, env: gateway.childEnvironment() })}\n`);
process.stdin.resume();
process.stdin.on("end", () => void gateway.close().then(() => process.exit(0)));
