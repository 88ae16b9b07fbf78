// npm test: lint, then every project's unit, integration and end-to-end tests through Nx, one at a
// time (2 cores; the integration levels start PostgreSQL and a broker). Ends with one plain line,
// "N passed, N failed", summed from every jest run, so CI sees how many tests ran.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

// Nx 24 keeps its cache and task database under ~/.nx, shared by every clone and worktree of this
// repository; another checkout's run on the same machine can remove files this run is writing
// (seen: ENOENT on cache/terminalOutputs). Each checkout keeps its own, in its git-ignored .nx/.
process.env.NX_CACHE_DIRECTORY ??= path.join(__dirname, '..', '.nx', 'cache');
process.env.NX_WORKSPACE_DATA_DIRECTORY ??= path.join(__dirname, '..', '.nx', 'workspace-data');

// `--levels int-test,e2e-test` runs only those targets, without lint (.ci/run's second phase).
const args = process.argv.slice(2);
const levelsAt = args.indexOf('--levels');
const levels = levelsAt >= 0 ? args.splice(levelsAt, 2)[1].split(',') : null;

if (!levels) {
  // @nx/enforce-module-boundaries reads Nx's cached project graph and, on a fresh clone where none
  // is cached yet, skips itself with a warning: compute the graph first, so the rule really runs.
  const graph = spawnSync('npx', ['nx', 'show', 'projects'], { stdio: ['inherit', 'ignore', 'inherit'] });
  if (graph.status !== 0) {
    console.log('could not compute the Nx project graph');
    process.exit(graph.status ?? 1);
  }
  const lint = spawnSync('npx', ['eslint', '.'], { stdio: 'inherit' });
  if (lint.status !== 0) {
    console.log('lint failed');
    process.exit(lint.status ?? 1);
  }
}

const nx = spawn(
  'npx',
  ['nx', 'run-many', '-t', ...(levels ?? ['test', 'int-test', 'e2e-test']), '--parallel=1', '--skip-nx-cache', '--outputStyle=static', ...args],
  { stdio: ['inherit', 'pipe', 'inherit'] },
);
let passed = 0;
let failed = 0;
let pending = '';
nx.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (pending + chunk.toString()).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    if (!plain.startsWith('Tests:')) continue;
    passed += Number(/(\d+) passed/.exec(plain)?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(plain)?.[1] ?? 0);
  }
});
nx.on('exit', (code) => {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(code ?? 1);
});
