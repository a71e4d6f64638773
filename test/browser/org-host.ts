import type { BrowserContext } from 'playwright-core';

/**
 * The Lightning host the browser test pretends to be on. The page derives the My Domain URL it
 * hands to Tethr from its own host (acme.lightning.force.com -> https://acme.my.salesforce.com),
 * so serving the preview from 127.0.0.1 would show a URL no admin ever sees.
 */
export const ORG_LIGHTNING_ORIGIN = 'https://acme.lightning.force.com';
export const ORG_MY_DOMAIN_URL = 'https://acme.my.salesforce.com';

/**
 * Answers every request for the pretend org host from the local preview server, inside the
 * browser: nothing resolves or leaves the machine, and the page runs on a real https origin
 * (a secure context, as in Lightning Experience, so the clipboard API is there too).
 */
export async function serveAsOrg(context: BrowserContext, previewUrl: string): Promise<string> {
  const preview = new URL(previewUrl);
  await context.route(`${ORG_LIGHTNING_ORIGIN}/**`, async (route) => {
    const requested = new URL(route.request().url());
    const local = new URL(requested.pathname + requested.search, preview);
    const response = await route.fetch({ url: local.href });
    await route.fulfill({ response });
  });
  return `${ORG_LIGHTNING_ORIGIN}/`;
}
