import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * A file shipped inside a crossrt package (a host entry, page scripts, the Python bridge, report
 * templates), found through the package's name rather than beside the calling module: the CLI runs
 * as one bundled file (packages/cli/scripts/bundle.mjs), where every module's `import.meta.url` is
 * the bundle's. Name resolution works the same from sources (vitest), from each package's dist/, from
 * the bundle and from the published tarball, where every @crossrt package is a sibling under
 * node_modules/@crossrt. The package must export `./package.json`.
 */
export function packageFile(packageName: string, ...segments: string[]): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), ...segments);
}
