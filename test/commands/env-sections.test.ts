import assert from 'node:assert/strict';
import { it } from 'node:test';
import { COMMANDS } from '../../scripts/cli.ts';

// Issue 12: "an ENVIRONMENT VARIABLES section lists every variable a command reads". cli.test.ts
// checks that each command has the section; this checks its content against what the flags
// imply: a flag whose value falls back to, or whose file needs, a variable lists that variable.

const IMPLIED: Array<{ flags: string[]; variables: string[]; why: string }> = [
  { flags: ['target-org'], variables: ['SF_TARGET_ORG'], why: 'sf config fallback of --target-org' },
  {
    flags: ['target-dev-hub'],
    variables: ['SF_TARGET_DEV_HUB'],
    why: 'sf config fallback of --target-dev-hub'
  },
  { flags: ['database-url'], variables: ['TETHR_DATABASE_URL'], why: 'the default of --database-url' },
  {
    flags: ['connection', 'credentials'],
    variables: ['TETHR_AGE_IDENTITY', 'TETHR_AGE_IDENTITY_FILE'],
    why: 'an age-encrypted connection file is decrypted with them'
  }
];

interface HelpSection {
  header: string;
  body: Array<{ name: string; description: string }>;
}

it('each command lists the variables its flags imply', () => {
  const missing: string[] = [];
  for (const [id, command] of Object.entries(COMMANDS)) {
    const flags = Object.keys(command.flags ?? {});
    const section = command.envVariablesSection as HelpSection | undefined;
    const listed = new Set(section?.body.map((entry) => entry.name) ?? []);
    for (const rule of IMPLIED) {
      if (!rule.flags.some((flag) => flags.includes(flag))) continue;
      for (const variable of rule.variables)
        if (!listed.has(variable)) missing.push(`${id}: ${variable} (${rule.why})`);
    }
  }
  assert.deepEqual(missing, []);
});
