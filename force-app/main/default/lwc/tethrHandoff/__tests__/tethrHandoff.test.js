import { createElement } from 'lwc';
import TethrHandoff, { myDomainUrlFor } from 'c/tethrHandoff';
import { graphql } from 'lightning/graphql';

const ORGANIZATION = require('./data/organization.json');

async function flushPromises() {
  for (let i = 0; i < 3; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

function render(username) {
  const element = createElement('c-tethr-handoff', { is: TethrHandoff });
  element.integrationUsername = username;
  document.body.appendChild(element);
  return element;
}

const valueOf = (element, key) => element.shadowRoot.querySelector(`[data-item="${key}"] code`).textContent;
const copyButton = (element, key) =>
  element.shadowRoot.querySelector(`lightning-button-icon[data-key="${key}"]`);

describe('c-tethr-handoff', () => {
  beforeEach(() => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: jest.fn(() => Promise.resolve()) }
    });
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('turns the Lightning host into the My Domain URL', () => {
    expect(myDomainUrlFor({ hostname: 'acme.lightning.force.com', origin: 'x' })).toBe(
      'https://acme.my.salesforce.com'
    );
    expect(myDomainUrlFor({ hostname: 'acme--uat.sandbox.lightning.force.com', origin: 'x' })).toBe(
      'https://acme--uat.sandbox.my.salesforce.com'
    );
    expect(myDomainUrlFor({ hostname: 'localhost', origin: 'http://localhost:3000' })).toBe(
      'http://localhost:3000'
    );
  });

  it('shows the three values and copies one with its button', async () => {
    const element = render('tethr.integration@acme.example');
    graphql.emit(ORGANIZATION);
    await flushPromises();
    expect(valueOf(element, 'orgId')).toBe('00DDn00000TethrAAA');
    expect(valueOf(element, 'integrationUsername')).toBe('tethr.integration@acme.example');
    expect(valueOf(element, 'myDomainUrl')).toBe('http://localhost');

    copyButton(element, 'orgId').click();
    await flushPromises();
    expect(navigator.clipboard.writeText).toHaveBeenCalledWith('00DDn00000TethrAAA');
    expect(element.shadowRoot.querySelector('.tethr-copy-status').textContent).toBe('c.Tethr_Handoff_Copied');
    await expect(element).toBeAccessible();
  });

  it('never shows anything that looks like a secret', async () => {
    const element = render('tethr.integration@acme.example');
    graphql.emit(ORGANIZATION);
    await flushPromises();
    const text = element.shadowRoot.textContent.toLowerCase();
    expect(text).not.toMatch(/secret\s*[:=]|password\s*[:=]|token\s*[:=]/);
  });

  it('points to Company Information when the org id cannot be read, and waits for a username', async () => {
    const element = render(undefined);
    graphql.emitErrors([{ message: "Field 'Organization' in type 'RecordQuery' is undefined" }]);
    await flushPromises();
    expect(valueOf(element, 'orgId')).toBe('c.Tethr_Handoff_Unknown');
    expect(copyButton(element, 'orgId').disabled).toBe(true);
    expect(element.shadowRoot.querySelector('.tethr-org-id-elsewhere a').getAttribute('href')).toBe(
      '/lightning/setup/CompanyProfileInfo/home'
    );
    expect(element.shadowRoot.querySelector('.tethr-username-missing')).not.toBeNull();
    await expect(element).toBeAccessible();
  });

  it('says so when the browser refuses to copy', async () => {
    navigator.clipboard.writeText.mockRejectedValue(new Error('denied'));
    const element = render('tethr.integration@acme.example');
    await flushPromises();
    copyButton(element, 'integrationUsername').click();
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-copy-status').textContent).toBe(
      'c.Tethr_Handoff_Copy_Failed'
    );
  });
});
