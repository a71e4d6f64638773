import { createElement } from 'lwc';
import TethrHandoff, { CONNECTION_COMMAND, myDomainUrlFor } from 'c/tethrHandoff';
import { graphql } from 'lightning/graphql';

const ORGANIZATION = require('./data/organization.json');
const ORGANIZATION_SANDBOX = require('./data/organizationSandbox.json');
const USERNAME = 'tethr.integration@acme.example';
const SECRET_FIELDS = ['consumerKey', 'consumerSecret', 'password', 'securityToken', 'privateKey'];

async function flushPromises() {
  for (let i = 0; i < 3; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

/** Inside the package the component is <tethr-tethr-handoff>; deployed unpackaged, <c-tethr-handoff>. */
function render({
  username = USERNAME,
  channels = ['Case', 'MessagingSession'],
  tag = 'tethr-tethr-handoff'
} = {}) {
  const element = createElement(tag, { is: TethrHandoff });
  element.integrationUsername = username;
  element.channels = channels;
  const fileNames = [];
  element.addEventListener('connectionfile', (event) => fileNames.push(event.detail.fileName));
  document.body.appendChild(element);
  return { element, fileNames };
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const shownFile = (element) => JSON.parse($(element, '.tethr-connection-file').textContent);

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

  it('shows the packaged connection file with JWT bearer by default, and no secret field', async () => {
    const { element, fileNames } = render();
    graphql.emit(ORGANIZATION);
    await flushPromises();
    const file = shownFile(element);
    expect(file).toEqual({
      schema: 'tethr-salesforce-connection/v2',
      orgId: '00DDn00000TethrAAA',
      instanceUrl: 'http://localhost',
      isSandbox: false,
      namespace: 'tethr',
      integrationUsername: USERNAME,
      channels: ['Case', 'MessagingSession'],
      app: 'packaged',
      authFlow: 'jwt_bearer',
      apiVersion: '66.0',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    });
    SECRET_FIELDS.forEach((field) => expect(file).not.toHaveProperty(field));
    expect(fileNames[fileNames.length - 1]).toBe('tethr-connection-00DDn00000TethrAAA.json');
    expect($(element, '.tethr-incomplete')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('switches to client credentials when the admin picks it', async () => {
    const { element } = render();
    graphql.emit(ORGANIZATION);
    await flushPromises();
    const radio = $(element, 'lightning-radio-group');
    expect(radio.value).toBe('jwt_bearer');
    radio.dispatchEvent(new CustomEvent('change', { detail: { value: 'client_credentials' } }));
    await flushPromises();
    expect(shownFile(element).authFlow).toBe('client_credentials');
  });

  it('offers the file as a .json download holding exactly the text shown', async () => {
    const { element } = render();
    graphql.emit(ORGANIZATION);
    await flushPromises();
    const link = $(element, 'a.tethr-download');
    expect(link.getAttribute('download')).toBe('tethr-connection-00DDn00000TethrAAA.json');
    const href = link.getAttribute('href');
    expect(href.startsWith('data:application/json;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(href.slice(href.indexOf(',') + 1))).toBe(
      $(element, '.tethr-connection-file').textContent
    );
  });

  it('copies the whole file and says so', async () => {
    const { element } = render();
    graphql.emit(ORGANIZATION);
    await flushPromises();
    $(element, 'lightning-button.tethr-copy').click();
    await flushPromises();
    expect(navigator.clipboard.writeText).toHaveBeenCalledWith(
      $(element, '.tethr-connection-file').textContent
    );
    expect($(element, '.tethr-copy-status').textContent).toBe('c.Tethr_Handoff_Copied');
  });

  it('says so when the browser refuses to copy', async () => {
    navigator.clipboard.writeText.mockRejectedValue(new Error('denied'));
    const { element } = render();
    graphql.emit(ORGANIZATION);
    await flushPromises();
    $(element, 'lightning-button.tethr-copy').click();
    await flushPromises();
    expect($(element, '.tethr-copy-status').textContent).toBe('c.Tethr_Handoff_Copy_Failed');
  });

  it('marks a sandbox as a sandbox', async () => {
    const { element } = render();
    graphql.emit(ORGANIZATION_SANDBOX);
    await flushPromises();
    expect(shownFile(element).isSandbox).toBe(true);
  });

  it('without an integration user names what is missing and offers nothing to send', async () => {
    const { element } = render({ username: null });
    graphql.emit(ORGANIZATION);
    await flushPromises();
    const missing = [...element.shadowRoot.querySelectorAll('.tethr-incomplete li')].map(
      (li) => li.dataset.missing
    );
    expect(missing).toEqual(['integrationUsername']);
    expect($(element, 'a.tethr-download')).toBeNull();
    expect($(element, '.tethr-download-disabled').disabled).toBe(true);
    expect($(element, 'lightning-button.tethr-copy').disabled).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('lets the admin type the org id when the page cannot read it', async () => {
    const { element, fileNames } = render();
    graphql.emitErrors([{ message: "Field 'Organization' in type 'RecordQuery' is undefined" }]);
    await flushPromises();
    expect(
      [...element.shadowRoot.querySelectorAll('.tethr-incomplete li')].map((li) => li.dataset.missing)
    ).toEqual(['orgId']);
    const input = $(element, 'lightning-input.tethr-org-id');
    input.dispatchEvent(new CustomEvent('change', { detail: { value: ' 00DDn00000TypedAAA ' } }));
    await flushPromises();
    expect(shownFile(element).orgId).toBe('00DDn00000TypedAAA');
    expect(fileNames[fileNames.length - 1]).toBe('tethr-connection-00DDn00000TypedAAA.json');
    expect($(element, '.tethr-incomplete')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('unpackaged, explains that the org owns its secret and shows the command instead of a file', async () => {
    const { element } = render({ tag: 'c-tethr-handoff' });
    graphql.emit(ORGANIZATION);
    await flushPromises();
    expect($(element, '.tethr-connection-file')).toBeNull();
    expect($(element, '.tethr-unpackaged .tethr-cli').textContent).toBe(CONNECTION_COMMAND);
    expect(CONNECTION_COMMAND).toBe(
      'sf plugins install @tethr/plugin-salesforce\nsf tethr connection --target-org <alias>'
    );
    await expect(element).toBeAccessible();
  });
});
