import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `npm run build` starts from nothing: a command file deleted from scripts/ must not live on in lib/
// (and in the manifests generated from it).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
for (const generated of ['lib', 'oclif.manifest.json']) {
  rmSync(new URL(generated, `file://${ROOT}`), { recursive: true, force: true });
}
