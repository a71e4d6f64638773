// Runs the relay commands in a child process for tests (argv[2] picks the command): the same
// command classes bin/tethr-sf.js runs, without depending on the registry.
import Backfill from '../../../scripts/commands/backfill.ts';
import DeadLettersList from '../../../scripts/commands/dead-letters-list.ts';
import DeadLettersRetry from '../../../scripts/commands/dead-letters-retry.ts';
import DeadLettersShow from '../../../scripts/commands/dead-letters-show.ts';
import Doctor from '../../../scripts/commands/doctor.ts';
import Relay from '../../../scripts/commands/relay.ts';
import RelayCheckpointShow from '../../../scripts/commands/relay-checkpoint-show.ts';
import RelayOrgsAdd from '../../../scripts/commands/relay-orgs-add.ts';
import RelayOrgsList from '../../../scripts/commands/relay-orgs-list.ts';
import RelayOrgsRemove from '../../../scripts/commands/relay-orgs-remove.ts';
import RelayServe from '../../../scripts/commands/relay-serve.ts';
import Verify from '../../../scripts/commands/verify.ts';

const COMMANDS = {
  relay: Relay,
  backfill: Backfill,
  doctor: Doctor,
  serve: RelayServe,
  'orgs:add': RelayOrgsAdd,
  'orgs:remove': RelayOrgsRemove,
  'orgs:list': RelayOrgsList,
  'checkpoint:show': RelayCheckpointShow,
  verify: Verify,
  'dead-letters:list': DeadLettersList,
  'dead-letters:show': DeadLettersShow,
  'dead-letters:retry': DeadLettersRetry
};

const [command, ...args] = process.argv.slice(2);
const Command = (COMMANDS[command as keyof typeof COMMANDS] ?? Relay) as unknown as {
  run(argv: string[]): Promise<unknown>;
};
await Command.run(args);
