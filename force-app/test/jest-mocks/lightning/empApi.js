/**
 * lightning/empApi mock that behaves like the real module closely enough to test a subscriber:
 * subscribe() resolves a subscription and remembers the callback, so a test can deliver
 * messages with fireMessage(); onError() remembers the handler so a test can fail the
 * streaming connection with fireError(). isEmpEnabled() resolves true unless a test says not.
 */
const callbacksByChannel = new Map();
let errorHandler;
let empEnabled = true;

export const isEmpEnabled = jest.fn(() => Promise.resolve(empEnabled));

export const subscribe = jest.fn((channel, replayId, callback) => {
  callbacksByChannel.set(channel, callback);
  return Promise.resolve({ id: `sub-${callbacksByChannel.size}`, channel, replayId });
});

export const unsubscribe = jest.fn((subscription, callback) => {
  if (subscription) {
    callbacksByChannel.delete(subscription.channel);
  }
  if (callback) {
    callback({ successful: true });
  }
  return Promise.resolve(true);
});

export const onError = jest.fn((handler) => {
  errorHandler = handler;
});

export const setDebugFlag = jest.fn(() => Promise.resolve());

/** Test helper: make isEmpEnabled() resolve false (the org or browser has no streaming). */
export function setEmpEnabled(enabled) {
  empEnabled = enabled;
}

/** Test helper: deliver a platform event message to whoever subscribed to the channel. */
export function fireMessage(channel, payload, replayId = 1) {
  const callback = callbacksByChannel.get(channel);
  if (!callback) {
    throw new Error(`No subscriber on ${channel}; subscribed channels: ${[...callbacksByChannel.keys()]}`);
  }
  callback({ channel, data: { schema: 'schema-id', payload, event: { replayId } } });
}

/** Test helper: report a streaming error the way empApi's onError handler receives it. */
export function fireError(error) {
  if (errorHandler) {
    errorHandler(error);
  }
}

/** Test helper: the channels that currently have a subscriber. */
export function subscribedChannels() {
  return [...callbacksByChannel.keys()];
}

/** Test helper: forget every subscription, error handler and setting between tests. */
export function resetEmpApi() {
  callbacksByChannel.clear();
  errorHandler = undefined;
  empEnabled = true;
  isEmpEnabled.mockClear();
  subscribe.mockClear();
  unsubscribe.mockClear();
  onError.mockClear();
}
