/**
 * Keeps the README's usage examples equal to the consumer apps that `npx projen test:bindings`
 * compiles and runs. A README code block preceded by
 *
 *   <!-- snippet: test/bindings/python/app.py -->
 *
 * must equal the lines of that file between its `README:start` and `README:end` marker
 * comments (dedented). Every consumer app must have such a block.
 *
 *   ts-node test/bindings/readme-snippets.ts           # check (part of test:bindings)
 *   ts-node test/bindings/readme-snippets.ts --write   # rewrite the blocks from the apps
 *                                                      # (npx projen bindings:readme)
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const README = path.join(ROOT, 'README.md');
const APPS = [
  'test/bindings/typescript/app.ts',
  'test/bindings/python/app.py',
  'test/bindings/java/src/main/java/com/example/bindings/BindingsConsumer.java',
  'test/bindings/go/main.go',
];
const MARKER = /^<!-- snippet: (\S+) -->$/;

/** The lines between the README:start and README:end markers of `file`, dedented. */
function region(file: string): string {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => /\bREADME:start\b/.test(l));
  const end = lines.findIndex((l) => /\bREADME:end\b/.test(l));
  if (start < 0 || end < start) throw new Error(`${file} has no README:start ... README:end region`);
  const body = lines.slice(start + 1, end);
  while (body.length > 0 && body[body.length - 1].trim() === '') body.pop();
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.match(/^[ \t]*/)![0].length));
  return body.map((l) => l.slice(indent)).join('\n');
}

function main(write: boolean): void {
  const lines = fs.readFileSync(README, 'utf8').split('\n');
  const seen = new Set<string>();
  const stale: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const file = lines[i].match(MARKER)?.[1];
    if (!file) continue;
    if (!APPS.includes(file)) throw new Error(`README.md line ${i + 1}: ${file} is not a consumer app (${APPS.join(', ')})`);
    const open = i + 1;
    if (!lines[open]?.startsWith('```')) throw new Error(`README.md line ${open + 1}: a code block must follow the snippet marker for ${file}`);
    const close = lines.findIndex((l, j) => j > open && l === '```');
    if (close < 0) throw new Error(`README.md line ${open + 1}: unclosed code block`);
    const expected = region(file);
    if (lines.slice(open + 1, close).join('\n') !== expected) {
      stale.push(file);
      lines.splice(open + 1, close - open - 1, ...expected.split('\n'));
    }
    seen.add(file);
  }
  const missing = APPS.filter((f) => !seen.has(f));
  if (missing.length > 0) throw new Error(`README.md has no snippet block for ${missing.join(', ')}`);
  if (write) {
    fs.writeFileSync(README, lines.join('\n'));
    console.log(stale.length > 0 ? `README.md: rewrote ${stale.join(', ')}` : 'README.md: snippets already current');
  } else if (stale.length > 0) {
    throw new Error(`README.md's examples differ from ${stale.join(', ')}: run npx projen bindings:readme`);
  } else {
    console.log(`ok - README.md's ${seen.size} examples equal the consumer apps' regions`);
  }
}

try {
  main(process.argv.includes('--write'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
