import { createElement } from 'lwc';
import TethrOauthChecklist, { APP_MANAGER_URL } from 'c/tethrOauthChecklist';

async function flushPromises() {
  await Promise.resolve();
}

function valueOf(element, step) {
  return element.shadowRoot.querySelector(`[data-step="${step}"] .tethr-value`).textContent;
}

describe('c-tethr-oauth-checklist', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('lists every policy with the exact value, a Setup link and the CLI equivalent', async () => {
    const element = createElement('c-tethr-oauth-checklist', { is: TethrOauthChecklist });
    document.body.appendChild(element);
    expect(element.shadowRoot.querySelectorAll('.tethr-step')).toHaveLength(6);
    expect(valueOf(element, 'runAs')).toBe('c.Tethr_Oauth_Value_Run_As_Unknown');
    expect(valueOf(element, 'ip')).toBe('c.Tethr_Oauth_Value_Ip');
    expect(valueOf(element, 'permitted')).toBe('c.Tethr_Oauth_Value_Permitted');
    expect(valueOf(element, 'permissionSet')).toBe('Tethr_Integration_Access');
    expect(element.shadowRoot.querySelector('[data-step="ip"]').textContent).toContain('Bypass');
    expect(element.shadowRoot.querySelector('.tethr-app-manager-link').getAttribute('href')).toBe(
      APP_MANAGER_URL
    );
    // The command works for an admin without a clone of Tethr's repository: the sf plugin.
    expect(element.shadowRoot.querySelector('.tethr-cli').textContent).toBe(
      'sf plugins install @tethr/plugin-salesforce\nsf tethr app-policies --target-org <alias>'
    );
    expect(element.shadowRoot.querySelector('.tethr-jwt-note')).not.toBeNull();
    await expect(element).toBeAccessible();
  });

  it('names the integration user as the run-as value once it is known', async () => {
    const element = createElement('c-tethr-oauth-checklist', { is: TethrOauthChecklist });
    document.body.appendChild(element);
    element.integrationUsername = 'tethr.integration@acme.example';
    await flushPromises();
    expect(valueOf(element, 'runAs')).toBe('tethr.integration@acme.example');
  });
});
