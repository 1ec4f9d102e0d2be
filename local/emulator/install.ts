import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Which Python runs moto, installing the pinned moto on first use.
 *
 * In this repository moto comes from the project's `.venv` (`npx projen setup:python`).
 * A consumer of the npm package has only Node and some Python: there the pin in
 * requirements.txt (beside this file, in the source tree and in the package alike) is
 * installed once into a virtual environment in a per-user cache, never into the
 * consumer's project. The install is atomic: the environment is built in a temporary
 * sibling directory, a marker file is written last, and the directory is renamed into
 * place, so an interrupted or concurrent install never leaves a half-built environment
 * in use. A venv's own `bin/python` works after the rename (only its console scripts
 * would not, and moto-server.py needs none).
 */

/** The requirements file holding the moto pin; copied beside the bundle in the package. */
export const MOTO_REQUIREMENTS_FILE = path.join(__dirname, 'requirements.txt');

/** The oldest Python moto 5.2 runs on. */
export const MIN_PYTHON: readonly [number, number] = [3, 10];

/** Written last into a finished environment; a directory without it is never used. */
const MARKER = 'installed.json';

/** Names temporary siblings in the cache: `.<venv name>.tmp-<random>`, never used as environments. */
const TEMP_INFIX = '.tmp-';

const PYTHON_ENV = 'LOGISTICS_TRACKING_API_PYTHON';
const CACHE_ENV = 'LOGISTICS_TRACKING_API_CACHE';
const APP_DIR = 'logistics-tracking-api';

const WAYS_AROUND = [
  'Or work around it:',
  `  - set ${PYTHON_ENV} to a Python ${MIN_PYTHON.join('.')} or newer (a path or a command), or`,
  '  - pass --emulator-endpoint URL to use a moto server already running (e.g. `moto_server -H 127.0.0.1 -p 5000`).',
].join('\n');

const GET_PYTHON = `Install Python ${MIN_PYTHON.join('.')} or newer: https://www.python.org/downloads/, `
  + '`brew install python` (macOS), `apt-get install python3 python3-venv` (Debian/Ubuntu), `winget install Python.Python.3.12` (Windows).';

/** The moto requirement, as requirements.txt pins it. */
export interface MotoRequirement {
  /** The requirement line, e.g. `moto[server]==5.2.5`. */
  readonly line: string;
  /** e.g. `5.2.5`. */
  readonly version: string;
}

/** A Python interpreter found to be usable (or not) for the emulator. */
export interface PythonInterpreter {
  /** What was run: the command or path as given. */
  readonly command: string;
  /** The interpreter itself (`sys.executable`), or the command when it reports none. */
  readonly executable: string;
  readonly version: readonly [number, number, number];
  /** Whether its `venv` and `ensurepip` modules import. */
  readonly canCreateVenv: boolean;
}

export interface ResolveMotoPythonOptions {
  /** A checkout whose `.venv` has moto (this repository's dev setup); used when it does. */
  readonly projectDir?: string;
  /** The cache root. @default LOGISTICS_TRACKING_API_CACHE, else the platform's per-user cache (see {@link motoCacheRoot}) */
  readonly cacheDir?: string;
  /** The Python to create the environment with (a path or a command). @default LOGISTICS_TRACKING_API_PYTHON, else `python3` or `python` on PATH */
  readonly python?: string;
  /** Receives progress lines (only when installing). */
  readonly log?: (line: string) => void;
  /** The environment to read settings and PATH from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The requirements file to install. @default {@link MOTO_REQUIREMENTS_FILE} */
  readonly requirementsFile?: string;
}

export interface MotoPython {
  /** The Python to run moto-server.py with. */
  readonly python: string;
  /** Where it comes from, for people: `the project's .venv (…)` or `the cache (…)`. */
  readonly source: string;
  /** The virtual environment directory. */
  readonly venv: string;
  /** True when this call installed moto. */
  readonly installed: boolean;
}

/** The emulator cannot run: what is missing and how to get it are in the message. */
export class MotoInstallError extends Error {
  constructor(message: string) {
    super(`${message}\n${WAYS_AROUND}`);
    this.name = 'MotoInstallError';
  }
}

function binDir(venv: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(venv, platform === 'win32' ? 'Scripts' : 'bin');
}

/** The interpreter of a virtual environment: `bin/python`, or `Scripts\python.exe` on Windows. */
export function venvPython(venv: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(binDir(venv, platform), platform === 'win32' ? 'python.exe' : 'python');
}

/**
 * The per-user cache root: `LOGISTICS_TRACKING_API_CACHE` if set, else
 * `$XDG_CACHE_HOME/logistics-tracking-api`, else `~/Library/Caches/…` (macOS),
 * `%LOCALAPPDATA%\…` (Windows) or `~/.cache/…`.
 */
export function motoCacheRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  if (env[CACHE_ENV]) return env[CACHE_ENV];
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, APP_DIR);
  if (platform === 'darwin') return join(home, 'Library', 'Caches', APP_DIR);
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), APP_DIR);
  return join(home, '.cache', APP_DIR);
}

/** The moto requirement line of a requirements file (the first `moto==…` or `moto[…]==…`). */
export function readMotoRequirement(file: string = MOTO_REQUIREMENTS_FILE): MotoRequirement {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the moto pin ${file}: ${(error as Error).message} (it ships beside the local runtime; reinstall the package)`);
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^moto(\[[\w,\s-]*\])?\s*==\s*([\w.!+-]+)$/.exec(line);
    if (match) return { line, version: match[2] };
  }
  throw new Error(`${file} pins no moto version (expected a line like \`moto[server]==5.2.5\`)`);
}

/**
 * Printed by the probe; kept to syntax every Python runs, so an old one reports its version
 * rather than a syntax error. The working directory leaves sys.path first, so a `json.py` or
 * `venv.py` in the consumer's project cannot answer for the standard library.
 */
const PROBE = [
  'import sys',
  'sys.path = [entry for entry in sys.path if entry not in ("", ".")]',
  'import json',
  'try:',
  '    import venv, ensurepip',
  '    ok = True',
  'except Exception:',
  '    ok = False',
  'print(json.dumps({"version": list(sys.version_info[:3]), "executable": sys.executable or "", "venv": ok}))',
].join('\n');

type Probe =
  | { readonly kind: 'usable' | 'too-old'; readonly interpreter: PythonInterpreter }
  | { readonly kind: 'missing'; readonly reason: string };

function probePython(command: string, env: NodeJS.ProcessEnv): Probe {
  const result = spawnSync(command, ['-c', PROBE], { env, encoding: 'utf8', timeout: 20_000, windowsHide: true });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { kind: 'missing', reason: code === 'ENOENT' ? 'not found' : result.error.message };
  }
  const last = result.stdout.trim().split(/\r?\n/).pop() ?? '';
  let reported: { version?: unknown; executable?: unknown; venv?: unknown };
  try {
    reported = JSON.parse(last);
  } catch {
    const said = `${result.stdout}${result.stderr}`.trim().split(/\r?\n/).slice(-3).join(' / ');
    return { kind: 'missing', reason: `does not run as Python (exit ${result.status ?? result.signal}${said ? `: ${said}` : ''})` };
  }
  const version = Array.isArray(reported.version) ? reported.version.map(Number) : [];
  if (version.length !== 3 || version.some((part) => !Number.isInteger(part))) {
    return { kind: 'missing', reason: `reported no version (${last})` };
  }
  const interpreter: PythonInterpreter = {
    command,
    executable: typeof reported.executable === 'string' && reported.executable ? reported.executable : command,
    version: version as unknown as [number, number, number],
    canCreateVenv: reported.venv === true,
  };
  const [major, minor] = interpreter.version;
  const oldEnough = major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
  return { kind: oldEnough ? 'usable' : 'too-old', interpreter };
}

function describe(interpreter: PythonInterpreter): string {
  const at = interpreter.executable === interpreter.command ? interpreter.command : `${interpreter.executable} (\`${interpreter.command}\`)`;
  return `Python ${interpreter.version.join('.')} at ${at}`;
}

/**
 * The Python to build moto's environment with: `python` (or `LOGISTICS_TRACKING_API_PYTHON`)
 * if given, else the first of `python3`, `python` on PATH that is new enough.
 * @throws MotoInstallError when there is none, naming what was found and how to get one
 */
export function findPython(options: { readonly python?: string; readonly env?: NodeJS.ProcessEnv } = {}): PythonInterpreter {
  const env = options.env ?? process.env;
  const explicit = options.python ?? (env[PYTHON_ENV] || undefined);
  const requirement = `moto needs Python ${MIN_PYTHON.join('.')} or newer`;
  if (explicit !== undefined) {
    const probe = probePython(explicit, env);
    const named = options.python !== undefined ? explicit : `${PYTHON_ENV}=${explicit}`;
    if (probe.kind === 'missing') {
      throw new MotoInstallError(`No Python for the local AWS emulator: ${named} ${probe.reason}. ${requirement}.\n${GET_PYTHON}`);
    }
    if (probe.kind === 'too-old') {
      throw new MotoInstallError(`${describe(probe.interpreter)} (${named}) is too old for the local AWS emulator: ${requirement}.\n${GET_PYTHON}`);
    }
    return probe.interpreter;
  }
  const tooOld: PythonInterpreter[] = [];
  const broken: string[] = [];
  for (const command of ['python3', 'python']) {
    const probe = probePython(command, env);
    if (probe.kind === 'usable') return probe.interpreter;
    if (probe.kind === 'too-old') tooOld.push(probe.interpreter);
    else if (probe.kind === 'missing' && probe.reason !== 'not found') broken.push(`\`${command}\` ${probe.reason}`);
  }
  if (tooOld.length > 0) {
    throw new MotoInstallError(`Python is too old for the local AWS emulator: found ${tooOld.map(describe).join(', ')}; ${requirement}.\n${GET_PYTHON}`);
  }
  const found = broken.length === 0 ? 'neither `python3` nor `python` is on PATH' : `no working \`python3\` or \`python\` on PATH (${broken.join('; ')})`;
  throw new MotoInstallError(`No Python found for the local AWS emulator: ${found}; ${requirement}.\n${GET_PYTHON}`);
}

function noVenvError(interpreter: PythonInterpreter, output?: string): MotoInstallError {
  const [major, minor] = interpreter.version;
  return new MotoInstallError([
    `${describe(interpreter)} cannot create virtual environments (its venv/ensurepip module is missing), which installing moto needs.`,
    `On Debian/Ubuntu: \`apt-get install python3-venv\` (or python${major}.${minor}-venv); elsewhere install Python from https://www.python.org/downloads/.`,
    ...(output ? [`\`python -m venv\` said:\n${output}`] : []),
  ].join('\n'));
}

/** The last lines a process printed, indented, for an error message. */
function lastLines(output: string, count = 12): string {
  const lines = output.trimEnd().split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.length === 0 ? '    (no output)' : lines.slice(-count).map((line) => `    ${line}`).join('\n');
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let output = '';
    const collect = (chunk: Buffer) => {
      // Only the end matters for an error message.
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? null : 0), output: signal ? `${output}(killed by ${signal})\n` : output }));
  });
}

interface Marker {
  readonly requirement: string;
  readonly python: string;
  readonly installedAt: string;
}

/** A finished environment for this requirement: its marker is there and names it, and its python exists. */
function isComplete(venv: string, requirement: MotoRequirement): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(venv, MARKER), 'utf8')) as Marker;
    // existsSync follows the symlink: a venv whose base Python was removed is not complete.
    return marker.requirement === requirement.line && fs.existsSync(venvPython(venv));
  } catch {
    return false;
  }
}

function removeQuietly(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Left for the next install's sweep.
  }
}

/** Temporary directories of installs that died (Ctrl-C, crash) more than a day ago. */
function sweepAbandoned(cacheRoot: string): void {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const entry of fs.readdirSync(cacheRoot)) {
    if (!entry.startsWith('.') || !entry.includes(TEMP_INFIX)) continue;
    const dir = path.join(cacheRoot, entry);
    try {
      if (fs.statSync(dir).mtimeMs < dayAgo) removeQuietly(dir);
    } catch {
      // Gone meanwhile.
    }
  }
}

/**
 * Installs the requirement into `venv` unless a finished environment is there:
 * builds it in a temporary sibling, writes the marker last, renames it into place.
 * When another installer got there first, its environment is used and this one removed.
 */
async function install(
  venv: string,
  interpreter: PythonInterpreter,
  requirement: MotoRequirement,
  requirementsFile: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  if (!interpreter.canCreateVenv) throw noVenvError(interpreter);
  const cacheRoot = path.dirname(venv);
  try {
    fs.mkdirSync(cacheRoot, { recursive: true });
  } catch (error) {
    throw new MotoInstallError(`Cannot create the cache directory ${cacheRoot} for moto: ${(error as Error).message}. `
      + `Set ${CACHE_ENV} to a writable directory.`);
  }
  sweepAbandoned(cacheRoot);
  const temp = fs.mkdtempSync(path.join(cacheRoot, `.${path.basename(venv)}${TEMP_INFIX}`));
  const started = Date.now();
  log(`installing moto ${requirement.version} into ${venv} (first use, about a minute)…`);
  try {
    // cwd is the cache: nothing pip or venv leaves behind lands in the consumer's project.
    const created = await run(interpreter.executable, ['-m', 'venv', temp], cacheRoot, env);
    if (created.code !== 0) throw noVenvError(interpreter, lastLines(created.output));
    const python = venvPython(temp);
    const constraints = constraintsBeside(requirementsFile);
    const pip = await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', requirementsFile,
      ...(constraints ? ['-c', constraints] : [])], cacheRoot, env);
    if (pip.code !== 0) {
      throw new MotoInstallError([
        `pip could not install ${requirement.line} with ${describe(interpreter)}.`,
        'The first use downloads moto and its dependencies from PyPI (or the index PIP_INDEX_URL names): check the network or proxy and run again.',
        `pip's last lines:\n${lastLines(pip.output)}`,
      ].join('\n'));
    }
    const check = await run(python, ['-c', 'import moto.server'], cacheRoot, env);
    if (check.code !== 0) {
      throw new MotoInstallError(`moto was installed but does not import with ${describe(interpreter)}:\n${lastLines(check.output)}`);
    }
    const marker: Marker = { requirement: requirement.line, python: interpreter.version.join('.'), installedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(temp, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    await moveIntoPlace(temp, venv, requirement);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  log(`moto ${requirement.version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function moveIntoPlace(temp: string, venv: string, requirement: MotoRequirement): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      fs.renameSync(temp, venv);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM' && code !== 'EACCES') throw error;
      // Another installer won the race: use theirs, drop ours.
      if (isComplete(venv, requirement)) {
        removeQuietly(temp);
        return;
      }
      if (attempt === 3) throw new MotoInstallError(`Cannot move the new moto environment into ${venv}: ${(error as Error).message}. Remove that directory and run again.`);
      // Not a finished environment (a leftover of another layout or a hand edit): move it aside, then retry.
      const aside = path.join(path.dirname(venv), `.${path.basename(venv)}${TEMP_INFIX}old-${process.pid}-${attempt}`);
      try {
        fs.renameSync(venv, aside);
        removeQuietly(aside);
      } catch {
        // Someone else moved it; the next attempt sees what is there now.
      }
    }
  }
}

/** The python of `<projectDir>/.venv` when it has moto_server (this repository's dev setup), else undefined. */
export function projectMotoPython(projectDir: string): string | undefined {
  const venv = path.join(projectDir, '.venv');
  const server = path.join(binDir(venv), process.platform === 'win32' ? 'moto_server.exe' : 'moto_server');
  return fs.existsSync(server) ? venvPython(venv) : undefined;
}

/** `constraints.txt` beside the requirements file (the tested versions of moto's dependencies), when there is one. */
function constraintsBeside(requirementsFile: string): string | undefined {
  const file = path.join(path.dirname(requirementsFile), 'constraints.txt');
  return fs.existsSync(file) ? file : undefined;
}

/**
 * The environment's directory name: the moto version and the Python's major.minor
 * for a reader, and a digest of the pins (requirements and constraints), so a
 * package whose pins changed gets a new environment rather than an old one.
 */
export function motoEnvironmentName(requirementsFile: string, version: string, python: readonly number[]): string {
  const digest = createHash('sha256').update(fs.readFileSync(requirementsFile));
  const constraints = constraintsBeside(requirementsFile);
  if (constraints) digest.update(fs.readFileSync(constraints));
  return `moto-${version}-py${python[0]}.${python[1]}-${digest.digest('hex').slice(0, 10)}`;
}

/**
 * The Python that runs moto-server.py: the project's `.venv` one when `projectDir` has
 * moto there, else the one in the per-user cache at `<cache>/moto-<version>-py<major>.<minor>-<pins digest>/`,
 * installing the pinned moto there first when needed (needs the network once).
 * @throws MotoInstallError naming what is missing (Python, a new enough one, its venv module, the network) and how to get it
 */
export async function resolveMotoPython(options: ResolveMotoPythonOptions = {}): Promise<MotoPython> {
  if (options.projectDir) {
    const python = projectMotoPython(options.projectDir);
    if (python) return { python, source: `the project's .venv (${path.join(options.projectDir, '.venv')})`, venv: path.dirname(path.dirname(python)), installed: false };
  }
  const env = options.env ?? process.env;
  const requirementsFile = options.requirementsFile ?? MOTO_REQUIREMENTS_FILE;
  const requirement = readMotoRequirement(requirementsFile);
  const interpreter = findPython({ python: options.python, env });
  const venv = path.join(options.cacheDir ?? motoCacheRoot(env), motoEnvironmentName(requirementsFile, requirement.version, interpreter.version));
  let installed = false;
  if (!isComplete(venv, requirement)) {
    await install(venv, interpreter, requirement, requirementsFile, env, options.log ?? (() => undefined));
    installed = true;
  }
  return { python: venvPython(venv), source: `the cache (${venv})`, venv, installed };
}
