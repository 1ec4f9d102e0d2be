/**
 * After `npx projen release` (run by `npx projen release:check`): every jsii target's
 * artifact is in dist/ and carries the version the bump wrote to dist/version.txt, the
 * release tag is that version, and the changelog has an entry for it.
 *
 * Reads what was built, not only file names: the npm tarball's package.json, the wheel's
 * METADATA, the pom, the Go module's version file, the C# project (or the .nupkg where
 * the .NET SDK built one). Prints one line per artifact; exits 1 listing every failure.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const targets = pkg.jsii.targets;

const failures: string[] = [];
const found: string[] = [];

function check(condition: boolean, message: string): boolean {
  if (!condition) failures.push(message);
  return condition;
}

function read(rel: string): string | undefined {
  const file = path.join(dist, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** The artifact at dist/<rel>, recorded when present. */
function artifact(rel: string, what: string): string | undefined {
  const file = path.join(dist, rel);
  if (!check(fs.existsSync(file), `${what}: dist/${rel} is missing`)) return undefined;
  found.push(`${what.padEnd(18)} dist/${rel}`);
  return file;
}

const version = (read('version.txt') ?? '').trim();
if (!check(/^\d+\.\d+\.\d+$/.test(version), `dist/version.txt holds no version: "${version}"`)) {
  console.error(failures.join('\n'));
  process.exit(1);
}

// The release's major version line (majorVersion in .projenrc.ts): 0 until the API is declared stable.
const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks;
const major = tasks.release?.env?.MAJOR;
check(major !== undefined, 'the release task sets no MAJOR (majorVersion in .projenrc.ts)');
check(version.split('.')[0] === major, `version ${version} is not on the configured major version line ${major}`);
check((read('releasetag.txt') ?? '').trim() === `v${version}`, `dist/releasetag.txt is not v${version}`);

const changelog = read('changelog.md') ?? '';
check(changelog.trim().length > 0, 'dist/changelog.md is missing or empty');
check(new RegExp(`^##.*\\b${version.replace(/\./g, '\\.')}\\b`, 'm').test(changelog), `dist/changelog.md has no heading for ${version}`);
check(pkg.version === '0.0.0', `package.json version is ${pkg.version}: the release's unbump did not restore 0.0.0`);

// npm: jsii-pacmak's tarball, with the version in its package.json.
const tgz = artifact(`js/${pkg.name}@${version}.jsii.tgz`, 'npm');
if (tgz) {
  const inner = JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
  check(inner.version === version, `npm tarball's package.json has version ${inner.version}`);
}

// PyPI: the wheel and the sdist (names normalised: - becomes _).
const pyName = targets.python.distName.replace(/[-.]+/g, '_');
const wheel = artifact(`python/${pyName}-${version}-py3-none-any.whl`, 'PyPI wheel');
artifact(`python/${pyName}-${version}.tar.gz`, 'PyPI sdist');
if (wheel) {
  const metadata = execFileSync('python3', ['-c',
    'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); '
    + 'print(next(z.read(n).decode() for n in z.namelist() if n.endswith(".dist-info/METADATA")))', wheel], { encoding: 'utf8' });
  check(new RegExp(`^Version: ${version.replace(/\./g, '\\.')}$`, 'm').test(metadata), `wheel METADATA is not Version: ${version}`);
}

// Maven: a repository layout with the jar, sources, javadoc and the pom.
const { groupId, artifactId } = targets.java.maven;
const mavenDir = `java/${groupId.replace(/\./g, '/')}/${artifactId}/${version}`;
for (const suffix of ['.jar', '-sources.jar', '-javadoc.jar']) {
  artifact(`${mavenDir}/${artifactId}-${version}${suffix}`, `Maven ${suffix.replace(/^[-.]/, '')}`);
}
const pom = artifact(`${mavenDir}/${artifactId}-${version}.pom`, 'Maven pom');
if (pom) {
  check(fs.readFileSync(pom, 'utf8').includes(`<version>${version}</version>`), `pom has no <version>${version}</version>`);
}

// Go: the module directory, its version file, and the embedded jsii tarball.
const goDir = `go/${targets.go.packageName}`;
const goVersion = artifact(`${goDir}/version`, 'Go module');
if (goVersion) {
  check(fs.readFileSync(goVersion, 'utf8').trim() === version, `dist/${goDir}/version is not ${version}`);
  artifact(`${goDir}/go.mod`, 'Go go.mod');
  artifact(`${goDir}/jsii/${pkg.name}-${version}.tgz`, 'Go jsii bundle');
}

// NuGet: the .nupkg where the .NET SDK is installed; here (no SDK) the C# project.
const packageId = targets.dotnet.packageId;
const nupkg = `dotnet/${packageId}.${version}.nupkg`;
if (fs.existsSync(path.join(dist, nupkg))) {
  artifact(nupkg, 'NuGet');
} else {
  const csproj = artifact(`dotnet/${packageId}/${packageId}.csproj`, 'NuGet (C# src)');
  if (csproj) {
    check(fs.readFileSync(csproj, 'utf8').includes(`<PackageVersion>${version}</PackageVersion>`),
      `${packageId}.csproj has no <PackageVersion>${version}</PackageVersion>`);
    artifact(`dotnet/${packageId}/${pkg.name}-${version}.tgz`, 'NuGet jsii bundle');
  }
}

console.log(`release ${version} (tag v${version}), changelog ${changelog.trim().split('\n').length} lines:`);
for (const line of found) console.log(`  ${line}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} release check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('every target carries the version: release check passed');
