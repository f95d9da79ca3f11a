/**
 * The portal's browser tests' common parts: Debian's Chromium driven by playwright-core (nothing downloads a browser),
 * axe-core injected into the page as it stands, the screenshots `npm run screenshots` refreshes, and a session cookie
 * made the way the sign-in link makes one, for roles whose mail round trip another test covers.
 */
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { SESSION_COOKIE } from '../../api/auth';
import { createSession } from '../../db/credentials';
import type { Harness } from './harness';

const CHROMIUM = process.env.OVOP_CHROMIUM ?? '/usr/bin/chromium';
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox refuses to run as root (CI containers); as any other user it stays on.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/** axe-core on the page as it stands: no serious or critical violation. */
export async function expectAccessible(p: Page): Promise<void> {
  await p.addScriptTag({ path: AXE });
  const violations = await p.evaluate(async () => {
    const g = globalThis as any;
    const result = await g.axe.run(g.document);
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: any) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${p.url()}: ${JSON.stringify(bad)}`).toEqual([]);
}

/** `npm run screenshots` sets OVOP_SCREENSHOTS: each role's main page is saved there for the README. */
export async function screenshot(p: Page, name: string): Promise<void> {
  const dir = process.env.OVOP_SCREENSHOTS;
  if (dir) await p.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Signs a user in as the link would. */
export async function signInAs(h: Harness, apiUrl: string, ctx: BrowserContext, userId: string): Promise<void> {
  await ctx.clearCookies();
  const session = await createSession(h.db, userId, 1);
  await ctx.addCookies([{ name: SESSION_COOKIE, value: session.token, url: apiUrl, httpOnly: true, sameSite: 'Lax' }]);
}

/** A port no one listens on now: the worker's mails must link to the API before the API is started. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The page has no sideways scrolling (a phone-sized viewport shows it whole). */
export async function expectNoSidewaysScroll(p: Page): Promise<void> {
  const widths = await p.evaluate(() => {
    const d = (globalThis as any).document.documentElement;
    return { scroll: d.scrollWidth as number, client: d.clientWidth as number };
  });
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
}
