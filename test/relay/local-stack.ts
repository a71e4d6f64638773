// Starts the local stand-ins the relay talks to (Salesforce OAuth + REST, Pub/Sub gRPC, Tethr),
// writes a credentials bundle for them, prints the commands to run `tethr-sf relay` against
// them, and publishes a few Conversation_Closed__e events every few seconds until Ctrl+C.
//   npx tsx test/relay/local-stack.ts
import { RelayEnv } from './helpers/relay-env.ts';

const env = await new RelayEnv().start({ keepaliveMs: 5000 });
const quote = (value: string) => `'${value}'`;
process.stdout.write(
  [
    'Local servers are up:',
    `  Salesforce (OAuth, REST)  ${env.sf.url}`,
    `  Pub/Sub API (plaintext)   ${env.pubsub.url}`,
    `  Tethr (Token, capture)    ${env.tethr.url}`,
    `  credentials bundle        ${env.bundlePath}`,
    '',
    'In another terminal, from the repository root:',
    `  export TETHR_API_URL=${quote(env.tethr.url)} TETHR_API_CLIENT_ID=${quote(env.tethr.clientId)} TETHR_API_CLIENT_SECRET=${quote(env.tethr.clientSecret)}`,
    `  bin/tethr-sf.js relay --credentials ${env.bundlePath} --pubsub-endpoint ${env.pubsub.url} --checkpoint ./.tethr/local.checkpoint.json`,
    `  bin/tethr-sf.js relay --credentials ${env.bundlePath} --pubsub-endpoint ${env.pubsub.url} --mode events --sink ndjson:- --checkpoint ./.tethr/local-events.checkpoint.json`,
    '',
    'Publishing 3 closed conversations (Case, MessagingSession, LiveChatTranscript) every 5 s. Ctrl+C stops.',
    ''
  ].join('\n')
);

let captured = 0;
const timer = setInterval(() => {
  const now = Date.now();
  env.publish([
    { recordId: env.org.addCase(now), objectType: 'Case' },
    { recordId: env.org.addMessagingSession(now), objectType: 'MessagingSession' },
    { recordId: env.org.addChatTranscript(now), objectType: 'LiveChatTranscript' }
  ]);
  if (env.tethr.captures.size !== captured) {
    captured = env.tethr.captures.size;
    process.stdout.write(`Tethr has ${captured} captures; rejected ${env.tethr.rejected.length}\n`);
  }
}, 5000);

process.once('SIGINT', () => {
  clearInterval(timer);
  void env.stop().then(() => process.exit(0));
});
