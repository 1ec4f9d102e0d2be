/**
 * Builds the local runtime the npm package ships (lib/local/): local/index.ts
 * and everything it imports (the AWS SDK clients, ajv, the SigV4 signer) bundled
 * by esbuild into one CommonJS file, so the package keeps no runtime
 * dependencies; beside it the files the bundle opens by path (the function
 * worker, moto's launcher and its pinned requirements), the command's entry
 * point, and the declarations of the public API (local/api.ts) only.
 *
 * Run by the post-compile step (so `package:js` and releases carry it) and by
 * `test:package`. Prints the bundle's size: the tarball is meant to stay lean.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'lib', 'local');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const result = buildSync({
  entryPoints: [path.join(root, 'local', 'index.ts')],
  outfile: path.join(out, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // package.json's engines: consumers run the command on their own Node.
  target: 'node20',
  // Minified: the SDK clients are most of the bytes. Names stay, for readable stack traces.
  minify: true,
  keepNames: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

// Opened by path at run time (path.join(__dirname, ...)), so copied flat beside the bundle
// (the moto pin and its constraints stay side by side: install.ts reads them so).
for (const file of ['functions/worker.mjs', 'emulator/moto-server.py', 'emulator/requirements.txt', 'emulator/constraints.txt', 'bin.cjs']) {
  fs.copyFileSync(path.join(root, 'local', file), path.join(out, path.basename(file)));
}
fs.chmodSync(path.join(out, 'bin.cjs'), 0o755);

// Declarations: tsc emits the whole tree's; the package keeps index's and api's,
// which name nothing else (--stripInternal drops runCli).
const declarations = fs.mkdtempSync(path.join(os.tmpdir(), 'local-dts-'));
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'),
    '--declaration', '--emitDeclarationOnly', '--stripInternal', '--skipLibCheck', '--strict',
    '--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'node', '--esModuleInterop',
    '--lib', 'ES2022,DOM', '--types', 'node',
    '--rootDir', path.join(root, 'local'), '--outDir', declarations, path.join(root, 'local', 'index.ts')], { stdio: 'inherit' });
  for (const file of ['index.d.ts', 'api.d.ts']) fs.copyFileSync(path.join(declarations, file), path.join(out, file));
} finally {
  fs.rmSync(declarations, { recursive: true, force: true });
}
const index = fs.readFileSync(path.join(out, 'index.d.ts'), 'utf8');
const imported = [...index.matchAll(/from '([^']+)'/g)].map((match) => match[1]).filter((spec) => spec !== './api');
if (imported.length > 0) throw new Error(`lib/local/index.d.ts imports ${imported.join(', ')}: the public API must name only local/api.ts`);

const bytes = fs.statSync(path.join(out, 'index.js')).size;
const inputs = Object.keys(result.metafile!.inputs).length;
console.log(`lib/local/index.js: ${bytes.toLocaleString('en-US')} bytes from ${inputs} modules`);
