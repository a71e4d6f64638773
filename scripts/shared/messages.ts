import { Messages } from '@salesforce/core/messages';
import type { SfError } from '@salesforce/core/sfError';

// Every user-facing error and warning text lives in messages/*.md (one file per area, keys like
// `error.NoTargetOrg` with `error.NoTargetOrg.actions`), loaded through @salesforce/core's
// Messages as salesforcecli's own plugins do. Tests compare against these messages, not regexes.

/** The npm name of this package; Messages keys its bundles by it. */
export const PACKAGE_NAME = '@tethr/plugin-salesforce';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url, true, PACKAGE_NAME);

/**
 * How the person reading a message runs our commands: `sf tethr` when the sf CLI loaded us as a
 * plugin (the default, and what admins install), `tethr-sf` when the standalone binary did
 * (bin/tethr-sf.js sets TETHR_SF_BIN). Messages are written with `tethr-sf <command>` and shown
 * with the invocation that works for the reader.
 */
export function commandPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return env.TETHR_SF_BIN === 'tethr-sf' ? 'tethr-sf' : 'sf tethr';
}

/** Rewrites `tethr-sf <command>` in a text to the reader's own invocation. */
export function forReader(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const prefix = commandPrefix(env);
  return prefix === 'tethr-sf' ? text : text.replace(/\btethr-sf (?=[a-z])/g, `${prefix} `);
}

export type Tokens = ReadonlyArray<string | number | boolean>;

/** A message bundle (messages/<bundle>.md) with command names adapted to the reader. */
export interface MessageBundle {
  getMessage(key: string, tokens?: Tokens): string;
  getMessages(key: string, tokens?: Tokens): string[];
  createError(key: string, tokens?: Tokens, actionTokens?: Tokens, cause?: unknown): SfError;
  /** a warning's text, with its actions appended as "Try this:" lines */
  warning(key: string, tokens?: Tokens, actionTokens?: Tokens): string;
}

export function loadMessages(bundle: string): MessageBundle {
  const messages = Messages.loadMessages(PACKAGE_NAME, bundle);
  const strings = (tokens: Tokens) => tokens.map((t) => String(t));
  return {
    getMessage: (key, tokens = []) => forReader(messages.getMessage(key, strings(tokens))),
    getMessages: (key, tokens = []) => messages.getMessages(key, strings(tokens)).map((m) => forReader(m)),
    createError(key, tokens = [], actionTokens = [], cause) {
      const error = messages.createError(
        key,
        strings(tokens),
        strings(actionTokens),
        cause as Error | undefined
      );
      error.message = forReader(error.message);
      if (error.actions) error.actions = error.actions.map((a) => forReader(a));
      return error;
    },
    warning(key, tokens = [], actionTokens = []) {
      const { message, actions } = messages.createWarning(key, strings(tokens), strings(actionTokens));
      const text = forReader(message);
      return actions && actions.length > 0
        ? `${text}\n${actions.map((a) => `  Try this: ${forReader(a)}`).join('\n')}`
        : text;
    }
  };
}
