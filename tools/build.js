// npm run build [-- --out DIR]: compiles the four services and the libraries they run on to
// CommonJS JavaScript, for the container image (deploy/Dockerfile runs exactly this).
//   DIR/services/<service>/src/**.js          each service; start one with node DIR/services/calls/src/main.js
//   DIR/node_modules/@homeline/<lib>/...       the libraries, laid out as installed packages, so
//                                              `@homeline/platform` resolves to the compiled code
//                                              before any workspace link in the image's node_modules
// swc, not tsc: the same transform (and decorator metadata, which Nest's injection needs) that
// runs the sources in development and tests, so the image runs what was tested; types are
// checked separately by `npm run typecheck`. Tests and benchmarks are left out.
const { transformFileSync } = require('@swc/core');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outArg = process.argv.indexOf('--out');
const out = path.resolve(root, outArg > 0 ? process.argv[outArg + 1] : 'dist');
const services = ['identity', 'calls', 'routing', 'audit'];
// The libraries the services import at run time (the build's import check keeps this list honest).
const libraries = ['contracts', 'event-store', 'platform', 'telemetry', 'tlog'];

const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const isTest = (file) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file);

function compileTree(fromDir, toDir) {
  let count = 0;
  for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    if (entry.isDirectory()) count += compileTree(from, path.join(toDir, entry.name));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !isTest(entry.name)) count += compileFile(from, path.join(toDir, entry.name.replace(/\.ts$/, '.js')));
  }
  return count;
}

function compileFile(from, to) {
  const { code, map } = transformFileSync(from, { ...swcrc, swcrc: false, filename: from, sourceMaps: true, sourceFileName: path.relative(path.dirname(to), from) });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, `${code}\n//# sourceMappingURL=${path.basename(to)}.map\n`);
  fs.writeFileSync(`${to}.map`, map);
  return 1;
}

fs.rmSync(out, { recursive: true, force: true });
let files = 0;
for (const lib of libraries) {
  const source = path.join(root, 'libs', lib);
  const target = path.join(out, 'node_modules', '@homeline', lib);
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  files += compileTree(path.join(source, 'src'), path.join(target, 'src'));
  for (const entry of fs.readdirSync(source)) {
    // Entry points beside src/ (the telemetry lib's register.ts, imported as @homeline/telemetry/register).
    if (entry.endsWith('.ts')) files += compileFile(path.join(source, entry), path.join(target, entry.replace(/\.ts$/, '.js')));
  }
  const { name, version, description } = manifest;
  fs.writeFileSync(path.join(target, 'package.json'), `${JSON.stringify({ name, version, description, main: 'src/index.js' }, null, 2)}\n`);
}
for (const service of services) files += compileTree(path.join(root, 'services', service, 'src'), path.join(out, 'services', service, 'src'));
console.log(`built ${files} files into ${path.relative(root, out) || '.'}`);
