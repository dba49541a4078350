#!/usr/bin/env node
// Prints the shell lines that put a Node release from the npm registry first
// on PATH (fetched once into ~/.cache/llm-sessions/node), with node-gyp
// pointed at its headers so that `npm ci` builds better-sqlite3 for it:
//
//   eval "$(node scripts/use-node.mjs 26)"
//
// Any Node can run this script; the spec is a major line (`26`) or an exact
// version (`22.16.0`).
import { installNode } from "./lib/node-dist.mjs";

const spec = process.argv[2];
if (spec === undefined || !/^\d+(\.\d+\.\d+)?$/.test(spec)) {
  console.error('usage: eval "$(node scripts/use-node.mjs <major or x.y.z>)"');
  process.exit(2);
}
const { version, dir } = installNode(spec, (msg) => console.error(msg));
const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
console.log(`export PATH=${quote(`${dir}/bin`)}:"$PATH" npm_config_nodedir=${quote(dir)}`);
console.error(`Node ${version} from ${dir}`);
