import * as fs from 'fs';
import * as path from 'path';

/**
 * The root of this package: the repository in development (local/ runs from
 * its sources) and `node_modules/logistics-tracking-api` once installed (local/
 * runs from the bundle in lib/local/). Found by walking up to the package.json
 * that names the package, so both layouts resolve `assets/` the same way.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'logistics-tracking-api') return dir;
      } catch {
        // A broken package.json on the way up is not ours: keep walking.
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`no logistics-tracking-api package.json above ${from}`);
  }
}
