import { LightningElement, wire } from 'lwc';
import { getObjectInfos } from 'lightning/uiObjectInfoApi';
import { CHANNEL_LIST } from 'c/tethrChannels';
import { errorMessage } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_Channels_Title';
import INTRO from '@salesforce/label/c.Tethr_Channels_Intro';
import LOADING from '@salesforce/label/c.Tethr_Channels_Loading';
import ERROR from '@salesforce/label/c.Tethr_Channels_Error';
import COLUMN_CHANNEL from '@salesforce/label/c.Tethr_Channels_Column_Channel';
import COLUMN_STATUS from '@salesforce/label/c.Tethr_Channels_Column_Status';
import COLUMN_NOTES from '@salesforce/label/c.Tethr_Channels_Column_Notes';
import TABLE_CAPTION from '@salesforce/label/c.Tethr_Channels_Table_Caption';
import STATUS_AVAILABLE from '@salesforce/label/c.Tethr_Channels_Status_Available';
import STATUS_NO_ACCESS from '@salesforce/label/c.Tethr_Channels_Status_No_Access';
import STATUS_NOT_IN_ORG from '@salesforce/label/c.Tethr_Channels_Status_Not_In_Org';
import NOTE_CASE from '@salesforce/label/c.Tethr_Channels_Note_Case';
import NOTE_MESSAGING from '@salesforce/label/c.Tethr_Channels_Note_Messaging';
import NOTE_MESSAGING_MISSING from '@salesforce/label/c.Tethr_Channels_Note_Messaging_Missing';
import NOTE_CHAT from '@salesforce/label/c.Tethr_Channels_Note_Chat';
import NOTE_CHAT_MISSING from '@salesforce/label/c.Tethr_Channels_Note_Chat_Missing';
import NOTE_NO_ACCESS from '@salesforce/label/c.Tethr_Channels_Note_No_Access';
import NAME_CASE from '@salesforce/label/c.Tethr_Channels_Name_Case';
import NAME_MESSAGING from '@salesforce/label/c.Tethr_Channels_Name_Messaging';
import NAME_CHAT from '@salesforce/label/c.Tethr_Channels_Name_Chat';
import SWITCH_TITLE from '@salesforce/label/c.Tethr_Channels_Switch_Title';
import SWITCH_HOW from '@salesforce/label/c.Tethr_Channels_Switch_How';
import OPEN_CUSTOM_METADATA from '@salesforce/label/c.Tethr_Link_Custom_Metadata';

// The conversation objects Tethr listens to, in the order the page lists them. Plain strings, not
// @salesforce/schema imports: the base package must not depend on Messaging or Chat objects.
export const CHANNEL_OBJECTS = CHANNEL_LIST.map((channel) => channel.object);

const CHANNELS = {
  Case: { name: NAME_CASE, note: NOTE_CASE, missingNote: NOTE_CASE },
  MessagingSession: { name: NAME_MESSAGING, note: NOTE_MESSAGING, missingNote: NOTE_MESSAGING_MISSING },
  LiveChatTranscript: { name: NAME_CHAT, note: NOTE_CHAT, missingNote: NOTE_CHAT_MISSING }
};

const FORBIDDEN = 403;

/**
 * Which conversation objects exist in this org and can be read by the admin (UI API object
 * info, one batch request), and where each channel is switched on or off. The switch is a
 * custom metadata record (Tethr_Channel__mdt): UI API does not serve custom metadata types,
 * so the page says where to look instead of guessing.
 */
export default class TethrChannelStatus extends LightningElement {
  labels = {
    title: TITLE,
    intro: INTRO,
    loading: LOADING,
    error: ERROR,
    columnChannel: COLUMN_CHANNEL,
    columnStatus: COLUMN_STATUS,
    columnNotes: COLUMN_NOTES,
    tableCaption: TABLE_CAPTION,
    switchTitle: SWITCH_TITLE,
    switchHow: SWITCH_HOW,
    openCustomMetadata: OPEN_CUSTOM_METADATA
  };
  customMetadataUrl = '/lightning/setup/CustomMetadata/home';

  channels;
  errorDetail;

  @wire(getObjectInfos, { objectApiNames: CHANNEL_OBJECTS })
  wiredObjectInfos({ data, error }) {
    if (data) {
      this.channels = CHANNEL_OBJECTS.map((apiName, index) => toChannelRow(apiName, data.results[index]));
      this.errorDetail = undefined;
      // The channels whose object exists here (readable by this admin or not) go into the connection file.
      const present = CHANNEL_LIST.filter((channel, index) => {
        const result = data.results[index];
        return result && (result.statusCode === 200 || result.statusCode === FORBIDDEN);
      }).map((channel) => channel.channel);
      this.dispatchEvent(new CustomEvent('channelschange', { detail: { channels: present } }));
    } else if (error) {
      this.channels = undefined;
      this.errorDetail = errorMessage(error);
    }
  }

  get isLoading() {
    return !this.channels && this.errorDetail === undefined;
  }

  get hasError() {
    return this.errorDetail !== undefined;
  }
}

function toChannelRow(apiName, result) {
  const channel = CHANNELS[apiName];
  const statusCode = result ? result.statusCode : undefined;
  if (statusCode === 200 && result.result && result.result.queryable !== false) {
    return row(apiName, channel.name, STATUS_AVAILABLE, channel.note, 'success', 'utility:success');
  }
  if (statusCode === FORBIDDEN || (statusCode === 200 && result.result)) {
    return row(apiName, channel.name, STATUS_NO_ACCESS, NOTE_NO_ACCESS, 'warning', 'utility:warning');
  }
  return row(apiName, channel.name, STATUS_NOT_IN_ORG, channel.missingNote, 'weak', 'utility:ban');
}

function row(apiName, name, status, note, tone, iconName) {
  return {
    apiName,
    name,
    status,
    note,
    iconName,
    iconVariant: tone === 'weak' ? undefined : tone,
    statusClass: tone === 'weak' ? 'slds-text-color_weak' : `slds-text-color_${tone}`
  };
}
