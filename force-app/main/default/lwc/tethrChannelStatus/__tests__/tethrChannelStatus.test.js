import { createElement } from 'lwc';
import TethrChannelStatus from 'c/tethrChannelStatus';
import { getObjectInfos } from 'lightning/uiObjectInfoApi';

const OBJECT_INFOS = require('./data/getObjectInfos.json');
const OBJECT_INFOS_NO_ACCESS = require('./data/getObjectInfosNoAccess.json');

async function flushPromises() {
  await Promise.resolve();
}

function render() {
  const element = createElement('c-tethr-channel-status', { is: TethrChannelStatus });
  document.body.appendChild(element);
  return element;
}

function rowFor(element, objectApiName) {
  const row = element.shadowRoot.querySelector(`tr[data-object="${objectApiName}"]`);
  return {
    status: row.querySelector('.tethr-channel-status').textContent,
    note: row.querySelector('.tethr-channel-note').textContent
  };
}

describe('c-tethr-channel-status', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('asks UI API about the three conversation objects and shows a spinner meanwhile', async () => {
    const element = render();
    expect(getObjectInfos.getLastConfig()).toEqual({
      objectApiNames: ['Case', 'MessagingSession', 'LiveChatTranscript']
    });
    expect(element.shadowRoot.querySelector('c-tethr-section').loading).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('marks available channels and explains that legacy Chat is not in this org', async () => {
    const element = render();
    getObjectInfos.emit(OBJECT_INFOS);
    await flushPromises();
    expect(rowFor(element, 'Case')).toEqual({
      status: 'c.Tethr_Channels_Status_Available',
      note: 'c.Tethr_Channels_Note_Case'
    });
    expect(rowFor(element, 'MessagingSession').status).toBe('c.Tethr_Channels_Status_Available');
    expect(rowFor(element, 'LiveChatTranscript')).toEqual({
      status: 'c.Tethr_Channels_Status_Not_In_Org',
      note: 'c.Tethr_Channels_Note_Chat_Missing'
    });
    await expect(element).toBeAccessible();
  });

  it('tells the page which channels this org has, for the connection file', async () => {
    const element = render();
    const told = [];
    element.addEventListener('channelschange', (event) => told.push(event.detail.channels));
    getObjectInfos.emit(OBJECT_INFOS);
    await flushPromises();
    expect(told).toEqual([['Case', 'MessagingSession']]);
  });

  it('counts an object the admin cannot read as present (it exists in the org)', async () => {
    const element = render();
    const told = [];
    element.addEventListener('channelschange', (event) => told.push(event.detail.channels));
    getObjectInfos.emit(OBJECT_INFOS_NO_ACCESS);
    await flushPromises();
    // MessagingSession answers 403 (exists, not readable by this admin); the third object answers 200.
    expect(told).toEqual([['Case', 'MessagingSession', 'LiveChatTranscript']]);
  });

  it('tells an admin who cannot read an object to get the Tethr Admin permission set', async () => {
    const element = render();
    getObjectInfos.emit(OBJECT_INFOS_NO_ACCESS);
    await flushPromises();
    expect(rowFor(element, 'MessagingSession')).toEqual({
      status: 'c.Tethr_Channels_Status_No_Access',
      note: 'c.Tethr_Channels_Note_No_Access'
    });
    // Exists but not queryable by this user: same advice.
    expect(rowFor(element, 'LiveChatTranscript').status).toBe('c.Tethr_Channels_Status_No_Access');
    await expect(element).toBeAccessible();
  });

  it('says where the per-channel switch lives, since custom metadata is not readable here', async () => {
    const element = render();
    getObjectInfos.emit(OBJECT_INFOS);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-custom-metadata-link').getAttribute('href')).toBe(
      '/lightning/setup/CustomMetadata/home'
    );
  });

  it('shows the error when object info cannot be read at all', async () => {
    const element = render();
    getObjectInfos.error({ message: 'Service unavailable' }, 503, 'Service Unavailable');
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-error')).not.toBeNull();
    expect(element.shadowRoot.querySelector('c-tethr-section').loading).toBe(false);
    expect(element.shadowRoot.querySelector('.tethr-channels')).toBeNull();
    await expect(element).toBeAccessible();
  });
});
