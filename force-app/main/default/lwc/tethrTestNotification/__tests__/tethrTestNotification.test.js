import { createElement } from 'lwc';
import TethrTestNotification, { WAIT_SECONDS } from 'c/tethrTestNotification';
import { getObjectInfo, getPicklistValues } from 'lightning/uiObjectInfoApi';
import { createRecord, deleteRecord, updateRecord } from 'lightning/uiRecordApi';

const CASE_INFO = require('./data/getObjectInfoCase.json');
const STATUS_VALUES = require('./data/getPicklistValuesCaseStatus.json');
const STATUS_VALUES_NO_CLOSED = require('./data/getPicklistValuesNoClosed.json');
const CREATED_CASE = require('./data/createRecordCase.json');
const CREATE_ERROR = require('./data/createRecordError.json');

async function flushPromises() {
  for (let i = 0; i < 5; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

function render(liveStatus = 'listening') {
  const element = createElement('c-tethr-test-notification', { is: TethrTestNotification });
  element.liveStatus = liveStatus;
  element.notifications = [];
  document.body.appendChild(element);
  return element;
}

async function renderReady(liveStatus) {
  const element = render(liveStatus);
  getObjectInfo.emit(CASE_INFO);
  getPicklistValues.emit(STATUS_VALUES);
  await flushPromises();
  return element;
}

// sa11y refuses to run under fake timers; by the time a test checks accessibility it is done with time.
async function expectAccessible(element) {
  jest.useRealTimers();
  await expect(element).toBeAccessible();
}

const sendButton = (element) => element.shadowRoot.querySelector('.tethr-send');
const notificationFor = (recordId) => ({
  key: `1-${recordId}`,
  recordId,
  caseId: recordId,
  objectType: 'Case'
});

describe('c-tethr-test-notification', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    createRecord.mockResolvedValue(CREATED_CASE);
    updateRecord.mockResolvedValue({});
    deleteRecord.mockResolvedValue();
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.useRealTimers();
  });

  it('shows a spinner and a disabled button while case metadata loads', async () => {
    const element = render();
    await flushPromises();
    expect(element.shadowRoot.querySelector('c-tethr-section').loading).toBe(true);
    expect(sendButton(element).disabled).toBe(true);
    await expectAccessible(element);
  });

  it('reads closed statuses for the default record type', async () => {
    const element = await renderReady();
    expect(getPicklistValues.getLastConfig()).toEqual({
      recordTypeId: '012000000000000AAA',
      fieldApiName: { objectApiName: 'Case', fieldApiName: 'Status' }
    });
    expect(sendButton(element).disabled).toBe(false);
    await expectAccessible(element);
  });

  it('creates a case, closes it with a closed status, sees its event arrive and deletes it', async () => {
    const element = await renderReady();
    sendButton(element).click();
    await flushPromises();

    expect(createRecord).toHaveBeenCalledWith({
      apiName: 'Case',
      fields: { Subject: 'c.Tethr_Test_Case_Subject', Description: 'c.Tethr_Test_Case_Description' }
    });
    expect(updateRecord).toHaveBeenCalledWith({ fields: { Id: '500Dn00000TethrAAA', Status: 'Closed' } });
    expect(element.shadowRoot.querySelector('.tethr-progress')).not.toBeNull();
    expect(sendButton(element).disabled).toBe(true);

    // The flow writes the 18-character id; the page must also match a 15-character one.
    element.notifications = [notificationFor('500Dn00000Tethr')];
    await flushPromises();

    expect(element.shadowRoot.querySelector('.tethr-received')).not.toBeNull();
    expect(deleteRecord).toHaveBeenCalledWith('500Dn00000TethrAAA');
    expect(element.shadowRoot.querySelector('.tethr-cleaned-up')).not.toBeNull();
    await expectAccessible(element);
  });

  it('keeps keyboard focus on the status while the button is disabled', async () => {
    const element = await renderReady();
    sendButton(element).focus();
    sendButton(element).click();
    await flushPromises();
    expect(element.shadowRoot.activeElement).toBe(element.shadowRoot.querySelector('.tethr-status'));
    expect(element.shadowRoot.querySelector('.tethr-status').getAttribute('aria-live')).toBe('polite');
  });

  it('counts an event that arrives before the update call returns', async () => {
    let finishUpdate;
    updateRecord.mockImplementation(() => new Promise((resolve) => (finishUpdate = resolve)));
    const element = await renderReady();
    sendButton(element).click();
    await flushPromises();
    element.notifications = [notificationFor('500Dn00000TethrAAA')];
    finishUpdate({});
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-received')).not.toBeNull();
  });

  it('explains a silence after the timeout and still deletes the test case', async () => {
    const element = await renderReady('listening');
    sendButton(element).click();
    await flushPromises();
    element.notifications = [notificationFor('500Dn00000OtherAAA')];
    jest.advanceTimersByTime(WAIT_SECONDS * 1000);
    await flushPromises();

    const explanation = element.shadowRoot.querySelector('.tethr-timed-out');
    expect(explanation).not.toBeNull();
    expect(explanation.textContent).toContain('c.Tethr_Test_Reason_Flow');
    expect(explanation.textContent).toContain('c.Tethr_Test_Reason_Channel');
    expect(explanation.textContent).toContain('c.Tethr_Test_Reason_Permission');
    expect(explanation.textContent).not.toContain('c.Tethr_Test_Reason_Streaming');
    expect([...explanation.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      '/lightning/setup/Flows/home',
      '/lightning/setup/CustomMetadata/home',
      '/lightning/setup/PermSets/home'
    ]);
    expect(deleteRecord).toHaveBeenCalledWith('500Dn00000TethrAAA');
    await expectAccessible(element);
  });

  it('shows the create error in words and deletes nothing when no case was created', async () => {
    createRecord.mockRejectedValue(CREATE_ERROR);
    const element = await renderReady();
    sendButton(element).click();
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-failed').textContent).toContain(
      'Required fields are missing: [Case Origin]'
    );
    expect(deleteRecord).not.toHaveBeenCalled();
    expect(sendButton(element).disabled).toBe(false);
    await expectAccessible(element);
  });

  it('deletes the case when closing it fails', async () => {
    updateRecord.mockRejectedValue({ body: { message: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Add a reason' } });
    const element = await renderReady();
    sendButton(element).click();
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-failed').textContent).toContain('Add a reason');
    expect(deleteRecord).toHaveBeenCalledWith('500Dn00000TethrAAA');
  });

  it('links the leftover case when it cannot be deleted', async () => {
    deleteRecord.mockRejectedValue({ body: { message: 'insufficient access' } });
    const element = await renderReady();
    sendButton(element).click();
    await flushPromises();
    jest.advanceTimersByTime(WAIT_SECONDS * 1000);
    await flushPromises();
    const leftover = element.shadowRoot.querySelector('.tethr-cleanup-failed');
    expect(leftover.querySelector('a').getAttribute('href')).toBe(
      '/lightning/r/Case/500Dn00000TethrAAA/view'
    );
    await expectAccessible(element);
  });

  it('explains missing case permissions and keeps the button disabled', async () => {
    const element = render();
    getObjectInfo.emit({ ...CASE_INFO, deletable: false });
    getPicklistValues.emit(STATUS_VALUES);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-no-access')).not.toBeNull();
    expect(sendButton(element).disabled).toBe(true);
    await expectAccessible(element);
  });

  it('explains missing access when case metadata cannot be read', async () => {
    const element = render();
    getObjectInfo.error({ message: 'You do not have access to the Case object' }, 403);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-no-access')).not.toBeNull();
    expect(element.shadowRoot.querySelector('c-tethr-section').loading).toBe(false);
  });

  it('explains an org without a closed case status', async () => {
    const element = render();
    getObjectInfo.emit(CASE_INFO);
    getPicklistValues.emit(STATUS_VALUES_NO_CLOSED);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-no-closed-status')).not.toBeNull();
    expect(sendButton(element).disabled).toBe(true);
    await expectAccessible(element);
  });

  it('explains that the result cannot be seen while live notifications are unavailable', async () => {
    const element = await renderReady('unavailable');
    expect(element.shadowRoot.querySelector('.tethr-streaming-off')).not.toBeNull();
    expect(sendButton(element).disabled).toBe(true);
    await expectAccessible(element);
  });
});
