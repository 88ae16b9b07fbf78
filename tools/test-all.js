// npm test: lint, then every project's unit, integration and end-to-end tests through Nx, one at a
// time (2 cores; the integration levels start PostgreSQL and a broker). Ends with one plain line,
// "N passed, N failed", summed from every jest run, so CI sees how many tests ran.
const { spawn, spawnSync } = require('node:child_process');

const lint = spawnSync('npx', ['eslint', '.'], { stdio: 'inherit' });
if (lint.status !== 0) {
  console.log('lint failed');
  process.exit(lint.status ?? 1);
}

const nx = spawn(
  'npx',
  ['nx', 'run-many', '-t', 'test', 'int-test', 'e2e-test', '--parallel=1', '--skip-nx-cache', '--outputStyle=static', ...process.argv.slice(2)],
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
