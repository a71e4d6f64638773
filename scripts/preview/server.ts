// `npm run preview`: the setup page compiled by the LWC compiler, served on localhost with
// fixture data in place of an org. PORT chooses the port (default 3000).
import { startPreview } from './preview.ts';

const port = Number(process.env.PORT ?? 3000);
console.log('Building the setup page with the LWC compiler (30-45 s)...');
const server = await startPreview({ port });
console.log(`Tethr setup page preview: ${server.url}  (Ctrl+C to stop)`);
