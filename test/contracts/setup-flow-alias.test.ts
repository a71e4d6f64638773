import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { INTEGRATION_USER_ALIAS } from '../../scripts/contracts/api-names.ts';

// The setup page's flow and the CLI create the same integration user: both mark it with one alias,
// so whichever runs second finds and reuses it instead of creating a second user.
it('the setup flow creates the integration user with the alias the CLI looks for', async () => {
  const flow = await readFile(
    new URL(
      '../../force-app/main/default/flows/Tethr_Set_Up_Integration_User.flow-meta.xml',
      import.meta.url
    ),
    'utf8'
  );
  const alias = /<field>Alias<\/field>\s*<value>\s*<stringValue>([^<]+)<\/stringValue>/.exec(flow)?.[1];
  assert.equal(alias, INTEGRATION_USER_ALIAS);
});
