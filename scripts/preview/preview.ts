import path from 'node:path';
import { buildPreview, REPOSITORY_ROOT } from './build.ts';
import { serveStatic, type StaticServer } from './static-server.ts';

const SLDS_ASSETS = path.join(REPOSITORY_ROOT, 'node_modules', '@salesforce-ux', 'design-system', 'assets');
export const DEFAULT_BUILD_DIR = path.join(REPOSITORY_ROOT, 'artifacts', 'preview', 'build');

// Global SLDS plus synthetic shadow is how Lightning Experience styles components; with native
// shadow our own markup would lose the SLDS utility classes.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Tethr setup (preview)</title>
    <link rel="stylesheet" href="/assets/styles/salesforce-lightning-design-system.min.css" />
    <style>body { background: #f3f3f3; }</style>
  </head>
  <body class="slds-scope">
    <main id="root"></main>
    <script type="module" src="/build/main.js"></script>
  </body>
</html>
`;

export interface PreviewOptions {
  port?: number;
  buildDir?: string;
  /** Skip compiling when buildDir already holds a build from this run. */
  reuseBuild?: boolean;
  /** Called once the port is ours, just before the build starts. */
  onBuilding?: () => void;
}

export interface PreviewServer extends StaticServer {
  /** How long compiling the page took, in milliseconds (0 when a build was reused). */
  buildMs: number;
}

/**
 * Takes the port first (so a busy port fails at once, not after the build), then builds the
 * setup page (unless reused) and serves it with SLDS on 127.0.0.1.
 */
export async function startPreview(options: PreviewOptions = {}): Promise<PreviewServer> {
  const buildDir = options.buildDir ?? DEFAULT_BUILD_DIR;
  const server = await serveStatic(PAGE, { '/build/': buildDir, '/assets/': SLDS_ASSETS }, options.port ?? 0);
  const started = performance.now();
  try {
    if (!options.reuseBuild) {
      options.onBuilding?.();
      await buildPreview(buildDir);
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  return { ...server, buildMs: options.reuseBuild ? 0 : performance.now() - started };
}
