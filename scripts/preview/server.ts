// `npm run preview`: the setup page compiled by the LWC compiler, served on localhost with
// fixture data in place of an org. `npm run preview -- --help` lists PORT and the page states.
import { runPreview } from './cli.ts';

const result = await runPreview(process.argv.slice(2), process.env, {
  log: (line) => console.log(line),
  error: (line) => console.error(line)
});
if (typeof result === 'number') {
  process.exitCode = result;
} else {
  const stop = (): void => void result.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
