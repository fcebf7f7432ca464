/**
 * Where the server's thread script is: next to this module when running from tsc output
 * (out/src/server/threads/serverThread.js), and next to the bundles in dist/ (dist/serverThread.js),
 * where every bundled module's __dirname is dist/.
 */
import * as path from 'node:path';

export function serverThreadPath(dir: string = __dirname): string {
  return path.join(dir, 'serverThread.js');
}
