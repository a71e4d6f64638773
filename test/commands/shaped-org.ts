import { objectsRead } from '../../scripts/contracts/channels.ts';
import {
  applyOrgShape,
  PACKAGED_CONSUMER_KEY,
  SHAPE_CHANNELS,
  type ShapeName,
  type ShapeOptions
} from '../servers/salesforce/org-shapes.ts';
import {
  addClosedCase,
  addCompletedChatTranscript,
  addEndedMessagingSession
} from '../servers/salesforce/conversation-data.ts';
import { seedScratchOrg, startFakeSalesforce, type FakeSalesforce } from '../servers/salesforce/index.ts';
import { authenticateFakeOrg } from './sf-home.ts';

export interface ShapedOrg {
  fake: FakeSalesforce;
  /** the admin's sf CLI username (stored auth) */
  username: string;
  shape: ShapeName;
  installed: boolean;
}

/**
 * A fake org of one shape, with a stored sf auth for its admin and a closed conversation per
 * channel it has. Each org gets its own admin (and so its own integration user name), so several
 * can live in one test file. Stop it with `org.fake.stop()` in the suite's `after`.
 */
export async function startShapedOrg(
  shape: ShapeName,
  options: ShapeOptions & { label?: string } = {}
): Promise<ShapedOrg> {
  const fake = await startFakeSalesforce();
  const label = options.label ?? `${shape}.${options.installed ? 'installed' : 'unpackaged'}`;
  fake.oauth.adminUsername = `admin@${label}.example`;
  seedScratchOrg(fake, { adminEmail: `admin@${label}.example` });
  applyOrgShape(fake, shape, options);
  const base = Date.parse('2026-11-20T10:00:00.000Z');
  addClosedCase(fake.org, base);
  if (shape !== 'case-only') addEndedMessagingSession(fake.org, base + 60_000, fake.entries);
  if (shape === 'messaging-and-chat') addCompletedChatTranscript(fake.org, base + 120_000);
  const username = await authenticateFakeOrg(fake.url, fake.oauth.adminUsername);
  return { fake, username, shape, installed: options.installed !== undefined };
}

/**
 * The objects the channels of a shape read, less User (every user reads it, so no set grants it),
 * sorted: what the generated integration access must grant in that org. User is written out
 * rather than taken from the product's ALWAYS_READABLE_OBJECTS, so a wrong entry there fails here.
 */
export function objectsReadIn(shape: ShapeName): string[] {
  return [...new Set(SHAPE_CHANNELS[shape].flatMap((c) => objectsRead(c)))]
    .filter((o) => o !== 'User')
    .sort();
}

/**
 * Runs `body` with Tethr's credential for the packaged app in the environment (its consumer key and
 * the JWT private key file), as on Tethr's machine, and removes both afterwards, failed or not.
 */
export async function withTethrCredential<T>(keyFile: string, body: () => Promise<T>): Promise<T> {
  process.env.TETHR_SF_CONSUMER_KEY = PACKAGED_CONSUMER_KEY;
  process.env.TETHR_SF_JWT_KEY_FILE = keyFile;
  try {
    return await body();
  } finally {
    delete process.env.TETHR_SF_CONSUMER_KEY;
    delete process.env.TETHR_SF_JWT_KEY_FILE;
  }
}
