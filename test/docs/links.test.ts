import * as fs from 'fs';
import * as path from 'path';

/**
 * Every relative link in README.md and docs/**\/*.md resolves: the file or folder
 * exists, and a `#fragment` names a heading of the target Markdown file (GitHub's
 * anchor rules). Links inside code blocks and absolute URLs are not checked.
 */

const ROOT = path.resolve(__dirname, '..', '..');

function markdownFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.md')) files.push(relative);
    }
  };
  if (fs.existsSync(path.join(ROOT, 'docs'))) walk('docs');
  return files;
}

/** The text outside fenced code blocks. */
function outsideFences(markdown: string): string {
  return markdown
    .split(/^(?:```|~~~).*$/m)
    .filter((_, i) => i % 2 === 0)
    .join('\n');
}

/** The text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return outsideFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of outsideFences(markdown).replace(/`([^`\n]*)`/g, '$1').split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

function relativeLinks(file: string): Link[] {
  const text = prose(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    links.push({ file, target });
  }
  return links;
}

function problemOf({ file, target }: Link): string | undefined {
  const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
  const resolved = pathPart === '' ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), decodeURI(pathPart));
  if (!resolved.startsWith(ROOT)) return 'points outside the repository';
  if (!fs.existsSync(resolved)) return 'no such file or folder';
  if (fragment === undefined || fragment === '') return undefined;
  if (!resolved.endsWith('.md')) return undefined;
  return anchors(fs.readFileSync(resolved, 'utf8')).has(fragment.toLowerCase()) ? undefined : `no heading #${fragment}`;
}

describe('documentation links', () => {
  const links = markdownFiles().flatMap(relativeLinks);

  test('README.md and docs/ have relative links to check', () => {
    expect(links.length).toBeGreaterThan(20);
  });

  test('every relative link resolves to a file, folder or heading', () => {
    const broken = links
      .map((link) => ({ link, problem: problemOf(link) }))
      .filter(({ problem }) => problem !== undefined)
      .map(({ link, problem }) => `${link.file}: (${link.target}) ${problem}`);
    expect(broken).toEqual([]);
  });

  test('a missing file or heading is reported', () => {
    expect(problemOf({ file: 'docs/README.md', target: './no-such-file.md' })).toBe('no such file or folder');
    expect(problemOf({ file: 'README.md', target: '#no-such-heading' })).toBe('no heading #no-such-heading');
    expect(problemOf({ file: 'README.md', target: '#install' })).toBeUndefined();
  });

  test('anchors follow GitHub\'s rules', () => {
    expect([...anchors('# A, b: c\n## `x.y` (z)\n## A, b: c\n```\n# not a heading\n```\n')]).toEqual(['a-b-c', 'xy-z', 'a-b-c-1']);
  });
});
