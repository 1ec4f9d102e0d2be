import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { failure } from './failure';
import {
  findPython,
  MOTO_REQUIREMENTS_FILE,
  motoCacheRoot,
  motoEnvironmentName,
  readMotoRequirement,
  resolveMotoPython,
  ResolveMotoPythonOptions,
} from '../../../local/emulator/install';

/**
 * Finding a Python and installing the pinned moto into the per-user cache: the
 * messages when something is missing, where the cache is, that only finished
 * environments are used, and that nothing lands in the working directory.
 * Fake interpreters (shell scripts) stand in for Python where the point is what
 * the installer does with its answers; one test builds a real venv with the
 * machine's python3 and pip, offline, from a stand-in moto wheel.
 */

jest.setTimeout(30_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const REQUIREMENT = readMotoRequirement();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-install-'));
let dirs = 0;

function newDir(name: string): string {
  const dir = path.join(scratch, `${name}-${++dirs}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface FakeOptions {
  /** What `sys.version_info[:3]` reports. @default [3, 11, 9] */
  readonly version?: readonly number[];
  /** Whether `import venv, ensurepip` works. @default true */
  readonly venvModule?: boolean;
  /** `-m venv` fails as Debian's Python without python3-venv does. */
  readonly venvFails?: boolean;
  /** `-m pip install` fails as it does offline. */
  readonly pipFails?: boolean;
  /** The file name, e.g. `python3` to be found on PATH. @default python */
  readonly name?: string;
}

/**
 * A shell script that answers like Python: the version probe, `-m venv DIR`
 * (copies itself to DIR/bin/python), `-m pip install` (leaves a file in the venv),
 * `-c 'import moto.server'`. Each call is appended to `<dir>/calls` as `cwd|args`.
 */
function fakePython(options: FakeOptions = {}): { readonly path: string; readonly calls: () => string[] } {
  const dir = newDir('fake-python');
  const file = path.join(dir, options.name ?? 'python');
  const calls = path.join(dir, 'calls');
  const version = JSON.stringify(options.version ?? [3, 11, 9]);
  fs.writeFileSync(file, `#!/bin/sh
echo "$(pwd -P)|$*" | tr '\n' ' ' >> '${calls}'; echo >> '${calls}'
case "$1" in
  -c)
    case "$2" in
      *version_info*) echo '{"version": ${version}, "executable": "'"$0"'", "venv": ${options.venvModule === false ? 'false' : 'true'}}' ;;
    esac ;;
  -m)
    case "$2" in
      venv)
        ${options.venvFails ? `echo 'The virtual environment was not created successfully because ensurepip is not available.' >&2
        echo 'apt install python3.11-venv' >&2
        mkdir -p "$3/bin"
        exit 1` : 'mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && echo "home = /fake" > "$3/pyvenv.cfg"'} ;;
      pip)
        ${options.pipFails ? `echo 'ERROR: Could not find a version that satisfies the requirement moto[server]==5.2.5 (from versions: none)' >&2
        echo 'ERROR: No matching distribution found for moto[server]==5.2.5' >&2
        exit 1` : 'sleep 0.2; touch "$(dirname "$0")/../moto-installed"'} ;;
    esac ;;
esac
`, { mode: 0o755 });
  return { path: file, calls: () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []) };
}

/** A cache and an environment that sees no LOGISTICS_TRACKING_API_* setting of the machine running the tests. */
function setup(env: NodeJS.ProcessEnv = {}): { readonly cache: string; readonly options: ResolveMotoPythonOptions } {
  const cache = newDir('cache');
  const base = { ...process.env };
  delete base.LOGISTICS_TRACKING_API_PYTHON;
  delete base.LOGISTICS_TRACKING_API_CACHE;
  return { cache, options: { env: { ...base, LOGISTICS_TRACKING_API_CACHE: cache, ...env } } };
}

function expectWaysAround(message: string): void {
  expect(message).toContain('LOGISTICS_TRACKING_API_PYTHON');
  expect(message).toContain('--emulator-endpoint URL');
}


describe('the pin', () => {
  test('lives in local/emulator/requirements.txt, which requirements-dev.txt includes', () => {
    expect(REQUIREMENT).toEqual({ line: expect.stringMatching(/^moto\[server\]==/), version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    const dev = fs.readFileSync(path.join(ROOT, 'requirements-dev.txt'), 'utf8');
    expect(dev).toMatch(/^-r local\/emulator\/requirements\.txt$/m);
    expect(dev).not.toMatch(/^moto/m);
    expect(MOTO_REQUIREMENTS_FILE).toBe(path.join(ROOT, 'local', 'emulator', 'requirements.txt'));
  });
});

describe('cache directory', () => {
  test.each([
    ['LOGISTICS_TRACKING_API_CACHE first', { LOGISTICS_TRACKING_API_CACHE: '/c', XDG_CACHE_HOME: '/x' }, 'linux', '/c'],
    ['then XDG_CACHE_HOME', { XDG_CACHE_HOME: '/x' }, 'darwin', '/x/logistics-tracking-api'],
    ['macOS', {}, 'darwin', '/home/u/Library/Caches/logistics-tracking-api'],
    ['Windows', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u\\AppData\\Local\\logistics-tracking-api'],
    ['Linux and the rest', {}, 'linux', '/home/u/.cache/logistics-tracking-api'],
  ])('%s', (_, env, platform, expected) => {
    expect(motoCacheRoot(env, platform as NodeJS.Platform, '/home/u')).toBe(expected);
  });

  test('the digest changes with the pins: constraints beside the requirements count; without them it is the requirements alone', () => {
    const dir = newDir('pins');
    const requirements = path.join(dir, 'requirements.txt');
    fs.writeFileSync(requirements, 'moto[server]==5.2.5\n');
    const alone = motoEnvironmentName(requirements, '5.2.5', [3, 11]);
    fs.writeFileSync(path.join(dir, 'constraints.txt'), 'flask==3.1.3\n');
    const constrained = motoEnvironmentName(requirements, '5.2.5', [3, 11]);
    fs.writeFileSync(path.join(dir, 'constraints.txt'), 'flask==3.1.4\n');
    const bumped = motoEnvironmentName(requirements, '5.2.5', [3, 11]);
    expect(new Set([alone, constrained, bumped]).size).toBe(3);
    expect(bumped).toMatch(/^moto-5\.2\.5-py3\.11-[0-9a-f]{10}$/);
  });

  test('the environment is <cache>/moto-<version>-py<major>.<minor>-<digest of the pins>', async () => {
    const python = fakePython({ version: [3, 12, 1] });
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const found = await resolveMotoPython(options);
    expect(found.venv).toMatch(new RegExp(`^${cache}/moto-${REQUIREMENT.version.replace(/\./g, '\\.')}-py3\\.12-[0-9a-f]{10}$`));
    expect(path.basename(found.venv)).toBe(motoEnvironmentName(MOTO_REQUIREMENTS_FILE, REQUIREMENT.version, [3, 12]));
    expect(found.python).toBe(path.join(found.venv, 'bin', 'python'));
  });
});

describe('no usable Python', () => {
  test('LOGISTICS_TRACKING_API_PYTHON names a missing file', async () => {
    const { options } = setup({ LOGISTICS_TRACKING_API_PYTHON: '/nonexistent/python3' });
    const message = await failure(resolveMotoPython(options));
    expect(message).toContain('No Python for the local AWS emulator: LOGISTICS_TRACKING_API_PYTHON=/nonexistent/python3 not found');
    expect(message).toContain('needs Python 3.10 or newer');
    expect(message).toContain('https://www.python.org/downloads/');
    expectWaysAround(message);
  });

  test('no python3 or python on PATH', async () => {
    const { options } = setup({ PATH: newDir('empty-path') });
    const message = await failure(resolveMotoPython(options));
    expect(message).toContain('No Python found for the local AWS emulator: neither `python3` nor `python` is on PATH');
    expect(message).toContain('Install Python 3.10 or newer');
    expectWaysAround(message);
  });

  test('a python3 on PATH that does not run: what it said is named', () => {
    const dir = newDir('path');
    fs.writeFileSync(path.join(dir, 'python3'), '#!/bin/sh\necho "pyenv: python3: command not found" >&2\nexit 127\n', { mode: 0o755 });
    expect(() => findPython({ env: { PATH: dir } })).toThrow(
      'No Python found for the local AWS emulator: no working `python3` or `python` on PATH '
      + '(`python3` does not run as Python (exit 127: pyenv: python3: command not found))');
  });

  test('the Python on PATH is too old: its version and place are named', async () => {
    const old = fakePython({ name: 'python3', version: [3, 8, 10] });
    const { cache, options } = setup({ PATH: path.dirname(old.path) });
    const message = await failure(resolveMotoPython(options));
    expect(message).toContain(`Python is too old for the local AWS emulator: found Python 3.8.10 at ${old.path}`);
    expect(message).toContain('needs Python 3.10 or newer');
    expect(message).toContain('https://www.python.org/downloads/');
    expectWaysAround(message);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  test('LOGISTICS_TRACKING_API_PYTHON is too old', () => {
    const old = fakePython({ version: [3, 9, 2] });
    expect(() => findPython({ env: { LOGISTICS_TRACKING_API_PYTHON: old.path } }))
      .toThrow(`Python 3.9.2 at ${old.path} (LOGISTICS_TRACKING_API_PYTHON=${old.path}) is too old`);
  });

  test('a newer python after an old python3 on PATH is used', () => {
    const dir = newDir('path');
    fs.copyFileSync(fakePython({ name: 'python3', version: [3, 8, 10] }).path, path.join(dir, 'python3'));
    fs.copyFileSync(fakePython({ name: 'python', version: [3, 13, 0] }).path, path.join(dir, 'python'));
    expect(findPython({ env: { PATH: dir } })).toMatchObject({ command: 'python', version: [3, 13, 0] });
  });

  test('a Python without the venv module: Debian/Ubuntu are told to install python3-venv', async () => {
    const python = fakePython({ venvModule: false });
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const message = await failure(resolveMotoPython(options));
    expect(message).toContain(`Python 3.11.9 at ${python.path} cannot create virtual environments (its venv/ensurepip module is missing)`);
    expect(message).toContain('apt-get install python3-venv');
    expectWaysAround(message);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  test('a Python whose `-m venv` fails: the same advice, what venv said, nothing left behind', async () => {
    const python = fakePython({ venvFails: true });
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const message = await failure(resolveMotoPython(options));
    expect(message).toContain('cannot create virtual environments');
    expect(message).toContain('`apt-get install python3-venv` (or python3.11-venv)');
    expect(message).toContain('because ensurepip is not available');
    expectWaysAround(message);
    expect(fs.readdirSync(cache)).toEqual([]);
  });
});

describe('installing into the cache', () => {
  test('a failed pip install names pip\'s last lines and the network, and removes its directory', async () => {
    const python = fakePython({ pipFails: true });
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const message = await failure(resolveMotoPython(options));
    expect(message).toContain(`pip could not install ${REQUIREMENT.line}`);
    expect(message).toContain('No matching distribution found for moto[server]==5.2.5');
    expect(message).toContain('from PyPI');
    expectWaysAround(message);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  test('installs once, in the cache, with the cache as working directory; later calls reuse it', async () => {
    const python = fakePython();
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const lines: string[] = [];
    const first = await resolveMotoPython({ ...options, log: (line) => lines.push(line) });
    expect(first).toMatchObject({ installed: true, source: `the cache (${first.venv})` });
    expect(fs.readdirSync(cache)).toEqual([path.basename(first.venv)]);
    expect(fs.existsSync(path.join(first.venv, 'moto-installed'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(first.venv, 'installed.json'), 'utf8'))).toMatchObject({ requirement: REQUIREMENT.line, python: '3.11.9' });
    expect(lines[0]).toBe(`installing moto ${REQUIREMENT.version} into ${first.venv} (first use, about a minute)…`);
    const installCalls = python.calls().filter((call) => !call.includes('version_info'));
    expect(installCalls.length).toBeGreaterThan(0);
    for (const call of installCalls) expect(call.split('|')[0]).toBe(fs.realpathSync(cache));

    const again = await resolveMotoPython({ ...options, log: (line) => lines.push(line) });
    expect(again).toEqual({ ...first, installed: false });
    expect(lines).toHaveLength(2);
  });

  test('a directory without the marker is not used: it is replaced by a finished one', async () => {
    const python = fakePython();
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const venv = path.join(cache, motoEnvironmentName(MOTO_REQUIREMENTS_FILE, REQUIREMENT.version, [3, 11]));
    fs.mkdirSync(path.join(venv, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(venv, 'bin', 'python'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    fs.writeFileSync(path.join(venv, 'half-installed'), '');
    const found = await resolveMotoPython(options);
    expect(found).toMatchObject({ venv, installed: true });
    expect(fs.existsSync(path.join(venv, 'installed.json'))).toBe(true);
    expect(fs.existsSync(path.join(venv, 'half-installed'))).toBe(false);
    expect(fs.readdirSync(cache)).toEqual([path.basename(venv)]);
  });

  test('two installers at once: one environment wins, both use it, no temporary directory stays', async () => {
    const python = fakePython();
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const [a, b] = await Promise.all([resolveMotoPython(options), resolveMotoPython(options)]);
    expect(a.python).toBe(b.python);
    expect(fs.readdirSync(cache)).toEqual([path.basename(a.venv)]);
    expect(python.calls().filter((call) => call.includes('|-m venv'))).toHaveLength(2);
  });

  test('a project whose .venv has moto uses it, without looking for another Python', async () => {
    const projectDir = newDir('project');
    fs.mkdirSync(path.join(projectDir, '.venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(projectDir, '.venv', 'bin', 'moto_server'), '');
    const { cache, options } = setup({ PATH: newDir('empty-path') });
    expect(await resolveMotoPython({ ...options, projectDir })).toEqual({
      python: path.join(projectDir, '.venv', 'bin', 'python'),
      source: `the project's .venv (${path.join(projectDir, '.venv')})`,
      venv: path.join(projectDir, '.venv'),
      installed: false,
    });
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  test('a project without moto in .venv falls back to the cache', async () => {
    const python = fakePython();
    const { cache, options } = setup({ LOGISTICS_TRACKING_API_PYTHON: python.path });
    const found = await resolveMotoPython({ ...options, projectDir: newDir('consumer') });
    expect(path.dirname(found.venv)).toBe(cache);
  });
});

describe('with the real python3 and pip (offline, a stand-in moto wheel)', () => {
  /** A wheel named like the pinned moto whose moto.server has a `main`. */
  function buildWheel(dir: string): void {
    const script = `
import base64, hashlib, sys, zipfile
version = sys.argv[2]
dist = "moto-%s.dist-info" % version
files = {
    "moto/__init__.py": "__version__ = %r\\n" % version,
    "moto/server.py": "def main(argv=None):\\n    print('stand-in moto', argv)\\n",
    dist + "/METADATA": "Metadata-Version: 2.1\\nName: moto\\nVersion: %s\\nProvides-Extra: server\\n" % version,
    dist + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile("%s/moto-%s-py3-none-any.whl" % (sys.argv[1], version), "w") as wheel:
    for name, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
        wheel.writestr(name, data)
    record.append(dist + "/RECORD,,")
    wheel.writestr(dist + "/RECORD", "\\n".join(record) + "\\n")
`;
    const built = spawnSync('python3', ['-c', script, dir, REQUIREMENT.version], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`cannot build the stand-in wheel: ${built.stderr}`);
  }

  test('a venv built in a temporary directory, renamed into the cache, runs moto.server; nothing lands in the cwd', async () => {
    const wheels = newDir('wheels');
    buildWheel(wheels);
    // The consumer's project, with a module that would break the probe if the cwd were on its sys.path.
    const cwd = newDir('cwd');
    fs.writeFileSync(path.join(cwd, 'json.py'), 'raise SystemExit("the project\'s json.py was imported")\n');
    const { cache, options } = setup({ PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels, PIP_CONFIG_FILE: os.devNull });
    const previous = process.cwd();
    process.chdir(cwd);
    let found;
    try {
      found = await resolveMotoPython(options);
    } finally {
      process.chdir(previous);
    }
    expect(path.dirname(found.venv)).toBe(cache);
    expect(path.basename(found.venv)).toMatch(new RegExp(`^moto-${REQUIREMENT.version.replace(/\./g, '\\.')}-py3\\.\\d+-[0-9a-f]{10}$`));
    expect(fs.readdirSync(cache)).toEqual([path.basename(found.venv)]);
    expect(fs.readdirSync(cwd)).toEqual(['json.py']);
    const ran = spawnSync(found.python, ['-c', 'import moto, moto.server, sys; print(moto.__version__, sys.prefix)'], { encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe(`${REQUIREMENT.version} ${found.venv}`);
  });
});
