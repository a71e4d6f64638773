import { createElement } from 'lwc';
import TethrAccess, { CLI_COMMAND, SETUP_FLOW } from 'c/tethrAccess';
import { getObjectInfos } from 'lightning/uiObjectInfoApi';
import { graphql, refreshGraphQL } from 'lightning/graphql';

const CASE_ONLY = require('./data/getObjectInfosCaseOnly.json');
const MESSAGING = require('./data/getObjectInfosMessaging.json');
const ALL_CHANNELS = require('./data/getObjectInfosAllChannels.json');
const HIDDEN_CHAT = require('./data/getObjectInfosHiddenChat.json');
const CASE_COMPLETE = require('./data/permissionsCaseComplete.json');
const CASE_MISSING = require('./data/permissionsCaseMissing.json');
const MESSAGING_COMPLETE = require('./data/permissionsMessagingComplete.json');
const GRAPHQL_ERRORS = require('./data/graphqlErrors.json');

const USER_ID = '005Dn000003XyZaIAK';
const USERNAME = 'tethr.integration@acme.example';

async function flushPromises() {
  for (let i = 0; i < 4; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

function render(user = { id: USER_ID, username: USERNAME, state: 'ready' }) {
  const element = createElement('c-tethr-access', { is: TethrAccess });
  element.integrationUserId = user.id;
  element.integrationUsername = user.username;
  element.integrationUserState = user.state;
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const objectsListed = (element) => $$(element, '.tethr-access-row').map((row) => row.dataset.object);
const statusOf = (element, object) =>
  $(element, `.tethr-access-row[data-object="${object}"] .tethr-access-status`).textContent;
const flowInputs = (element) =>
  Object.fromEntries(
    $(element, 'lightning-flow').flowInputVariables.map((input) => [input.name, input.value])
  );

describe('c-tethr-access', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('shows a spinner while it finds out which objects the org has', async () => {
    const element = render();
    expect($(element, 'c-tethr-section').loading).toBe(true);
    expect($(element, 'c-tethr-section').loadingText).toBe('c.Tethr_Access_Loading');
    await expect(element).toBeAccessible();
  });

  it('in a Case-only org asks for Case objects only, and checks the user once it knows them', async () => {
    const element = render();
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    expect(objectsListed(element)).toEqual(['Case', 'Contact', 'EmailMessage', 'CaseComment']);
    expect($(element, 'c-tethr-section').loadingText).toBe('c.Tethr_Access_Checking');
    expect(graphql.getLastConfig().variables).toEqual({
      userId: USER_ID,
      objects: ['Case', 'Contact', 'EmailMessage', 'CaseComment']
    });
    // Record ids, audit fields, the owner and name fields need no field permission.
    expect($(element, '.tethr-access-row[data-object="Case"] .tethr-access-fields').textContent).not.toMatch(
      /\bId\b|CaseNumber|CreatedDate|OwnerId/
    );
    expect($(element, '.tethr-access-row[data-object="Contact"] .tethr-access-fields').textContent).toBe(
      'FirstName, LastName, Email, Phone'
    );

    graphql.emit(CASE_COMPLETE);
    await flushPromises();
    expect($(element, '.tethr-complete')).not.toBeNull();
    expect(statusOf(element, 'Case')).toBe('c.Tethr_Access_Status_Granted');
    // Nothing to fix: no flow button, no command, no click path.
    expect($(element, '.tethr-start-flow')).toBeNull();
    expect($(element, '.tethr-cli')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('with Messaging and legacy Chat lists their objects too', async () => {
    const element = render();
    getObjectInfos.emit(ALL_CHANNELS);
    await flushPromises();
    expect(objectsListed(element)).toEqual([
      'Case',
      'Contact',
      'EmailMessage',
      'CaseComment',
      'MessagingSession',
      'Conversation',
      'MessagingEndUser',
      'LiveChatTranscript'
    ]);
    await expect(element).toBeAccessible();
  });

  it('with Messaging: complete when every permission set of the user together grants it all', async () => {
    const element = render();
    getObjectInfos.emit(MESSAGING);
    await flushPromises();
    graphql.emit(MESSAGING_COMPLETE);
    await flushPromises();
    expect(objectsListed(element)).toContain('MessagingSession');
    expect(objectsListed(element)).not.toContain('LiveChatTranscript');
    expect($(element, '.tethr-complete')).not.toBeNull();
  });

  it('lists exactly what is missing and offers the flow for just that', async () => {
    const element = render();
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    graphql.emit(CASE_MISSING);
    await flushPromises();
    const missing = $$(element, '.tethr-missing li').map((li) => li.textContent);
    expect(missing).toEqual([
      'c.Tethr_Access_Missing_Fields',
      'c.Tethr_Access_Missing_Fields',
      'c.Tethr_Access_Missing_Object'
    ]);
    expect(statusOf(element, 'EmailMessage')).toBe('c.Tethr_Access_Status_Missing');
    expect(statusOf(element, 'CaseComment')).toBe('c.Tethr_Access_Status_Granted');
    expect($(element, '.tethr-cli').textContent).toBe(CLI_COMMAND);
    expect(CLI_COMMAND).toBe(
      'sf plugins install @tethr/plugin-salesforce\nsf tethr access --target-org <alias>'
    );

    $(element, '.tethr-start-flow').click();
    await flushPromises();
    const flow = $(element, 'lightning-flow');
    expect(flow.flowApiName).toBe(SETUP_FLOW);
    const inputs = flowInputs(element);
    expect(inputs.objectNames).toEqual(['Case', 'Contact', 'EmailMessage']);
    // The object permission is missing on EmailMessage; its field permissions are in place.
    expect(inputs.fieldNames).toEqual(['Case.Description', 'Contact.Email']);
    expect(inputs.existingUsername).toBe(USERNAME);
    expect(inputs.accessPermissionSetName).toBe('Tethr_Integration_Access');
    await expect(element).toBeAccessible();
  });

  it('without an integration user lists what it will need, with the flow, the command and the click path', async () => {
    const element = render({ id: undefined, username: undefined, state: 'none' });
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    expect($(element, '.tethr-no-user')).not.toBeNull();
    expect(graphql.getLastConfig().variables).toBeUndefined();
    expect(statusOf(element, 'Case')).toBe('c.Tethr_Access_Status_Needed');
    const steps = $$(element, '.tethr-manual-step').map((li) => li.textContent);
    // User, licence, permission set, one step per object of this org, assignment.
    expect(steps).toEqual([
      'c.Tethr_Manual_Step_User',
      'c.Tethr_Manual_Step_Psl',
      'c.Tethr_Manual_Step_Permission_Set',
      'c.Tethr_Manual_Step_Object',
      'c.Tethr_Manual_Step_Object',
      'c.Tethr_Manual_Step_Object',
      'c.Tethr_Manual_Step_Object',
      'c.Tethr_Manual_Step_Assign'
    ]);
    $(element, '.tethr-start-flow').click();
    await flushPromises();
    const inputs = flowInputs(element);
    expect(inputs.existingUsername).toBe('');
    expect(inputs.objectNames).toEqual(['Case', 'Contact', 'EmailMessage', 'CaseComment']);
    await expect(element).toBeAccessible();
  });

  it('says it cannot tell when the permissions cannot be read, and still lists what is needed', async () => {
    const element = render();
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    graphql.emitErrors(GRAPHQL_ERRORS);
    await flushPromises();
    expect($(element, '.tethr-cannot-tell').textContent).toContain("Field 'ObjectPermissions'");
    expect(objectsListed(element)).toEqual(['Case', 'Contact', 'EmailMessage', 'CaseComment']);
    expect($(element, '.tethr-start-flow')).not.toBeNull();
    await expect(element).toBeAccessible();
  });

  it('marks an object the admin cannot see as cannot tell', async () => {
    const element = render();
    getObjectInfos.emit(HIDDEN_CHAT);
    await flushPromises();
    graphql.emit(MESSAGING_COMPLETE);
    await flushPromises();
    expect(statusOf(element, 'LiveChatTranscript')).toBe('c.Tethr_Access_Status_Unknown');
    expect($(element, '.tethr-missing')).not.toBeNull();
  });

  it('shows the error when the org objects cannot be read', async () => {
    const element = render();
    getObjectInfos.error({ message: 'Service unavailable' }, 503, 'Service Unavailable');
    await flushPromises();
    expect($(element, '.tethr-error').textContent).toContain('Service unavailable');
    await expect(element).toBeAccessible();
  });

  it('after the flow finished: reports it, checks again and tells the page', async () => {
    const element = render({ id: undefined, username: undefined, state: 'none' });
    const changes = [];
    element.addEventListener('accesschange', (event) => changes.push(event.detail));
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    $(element, '.tethr-start-flow').click();
    await flushPromises();
    $(element, 'lightning-flow').dispatchEvent(
      new CustomEvent('statuschange', {
        detail: {
          status: 'FINISHED',
          outputVariables: [
            { name: 'integrationUsername', value: 'tethr.integration@acme.example', dataType: 'String' }
          ]
        }
      })
    );
    await flushPromises();
    expect($(element, 'lightning-flow')).toBeNull();
    expect($(element, '.tethr-flow-done')).not.toBeNull();
    expect(changes).toEqual([{ username: 'tethr.integration@acme.example' }]);
    expect(refreshGraphQL).toHaveBeenCalled();
    await expect(element).toBeAccessible();
  });

  it('when the flow stopped at a step, names it and keeps the click path', async () => {
    const element = render();
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    graphql.emit(CASE_MISSING);
    await flushPromises();
    $(element, '.tethr-start-flow').click();
    await flushPromises();
    $(element, 'lightning-flow').dispatchEvent(
      new CustomEvent('statuschange', {
        detail: {
          status: 'FINISHED',
          outputVariables: [
            { name: 'failedStep', value: 'Create the field permissions', dataType: 'String' },
            {
              name: 'faultMessage',
              value: 'bad value for restricted picklist field: Case.Foo',
              dataType: 'String'
            }
          ]
        }
      })
    );
    await flushPromises();
    expect($(element, '.tethr-flow-failed').textContent).toBe('c.Tethr_Access_Flow_Failed');
    expect($$(element, '.tethr-manual-step').length).toBeGreaterThan(0);
    await expect(element).toBeAccessible();
  });

  it('when the flow cannot run at all, says so', async () => {
    const element = render();
    getObjectInfos.emit(CASE_ONLY);
    await flushPromises();
    graphql.emit(CASE_MISSING);
    await flushPromises();
    $(element, '.tethr-start-flow').click();
    await flushPromises();
    $(element, 'lightning-flow').dispatchEvent(
      new CustomEvent('statuschange', { detail: { status: 'ERROR' } })
    );
    await flushPromises();
    expect($(element, '.tethr-flow-failed').textContent).toBe('c.Tethr_Access_Flow_Error');
  });
});
