// Runs the relay commands in a child process for tests (argv[2] picks the command): the same
// command classes bin/tethr-sf.js runs, without depending on the registry.
import Backfill from '../../../scripts/commands/backfill.ts';
import Relay from '../../../scripts/commands/relay.ts';
import RelayServe from '../../../scripts/commands/relay-serve.ts';

const [command, ...args] = process.argv.slice(2);
if (command === 'backfill') await Backfill.run(args);
else if (command === 'serve') await RelayServe.run(args);
else await Relay.run(args);
