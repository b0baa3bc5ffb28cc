// SPDX-License-Identifier: GPL-3.0-or-later
// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core: opens an
// authorization URL the way a person's browser would and waits until the page arrives at
// the client's redirect URI. The client's own loopback callback server receives the
// code/state/iss; this driver only reports the final URL (never logged: it holds the code).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.INTEROP_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when `url` is at `redirectUri` (same origin and path; any query). */
export function isAtRedirect(url, redirectUri) {
  try {
    const a = new URL(url);
    const b = new URL(redirectUri);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

export class Browser {
  static async launch() {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (packaging/install-deps.sh)`);
    const dir = await mkdtemp(join(tmpdir(), 'tessera-interop-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      ignoreDefaultArgs: ['--enable-automation'],
    });
    return new Browser(context, dir);
  }

  constructor(context, dir) {
    this.context = context;
    this.dir = dir;
    /** Each navigation: { start (authorization URL without query), pages: [visited origins+paths], ms }. */
    this.visits = [];
  }

  /**
   * Opens `authorizationUrl` in the browser's tab and resolves to the final URL once the tab reaches
   * `redirectUri` (as a person's browser would: following the AS's pages and redirects).
   */
  async authorize(authorizationUrl, redirectUri, { timeoutMs = 30000 } = {}) {
    // One tab, reused: closing tabs was seen to hang for minutes with this Chromium.
    this.page ??= this.context.pages()[0] ?? (await this.context.newPage());
    const page = this.page;
    // Leave the previous callback page first, or waitForURL would match it at once.
    await page.goto('about:blank', { timeout: 5000 });
    const start = Date.now();
    const visit = { start: new URL(authorizationUrl).origin + new URL(authorizationUrl).pathname, pages: [] };
    this.visits.push(visit);
    const onNavigated = (f) => {
      if (f === page.mainFrame()) {
        const u = new URL(f.url());
        visit.pages.push(u.origin + u.pathname);
      }
    };
    page.on('framenavigated', onNavigated);
    try {
      const reached = page.waitForURL((u) => isAtRedirect(u.href, redirectUri), { timeout: timeoutMs, waitUntil: 'commit' });
      // goto may itself time out or be superseded while the AS holds the request; the
      // outcome that matters is reaching the redirect URI.
      page.goto(authorizationUrl, { waitUntil: 'commit', timeout: timeoutMs }).catch(() => {});
      await reached;
      visit.ms = Date.now() - start;
      return page.url();
    } catch (e) {
      const where = (() => {
        try {
          const u = new URL(page.url());
          return u.origin + u.pathname;
        } catch {
          return page.url();
        }
      })();
      let text = '';
      try {
        text = (await page.innerText('body', { timeout: 1000 })).slice(0, 500);
      } catch {
        // page gone
      }
      // Start the next authorization on a fresh tab; leave this one as it is.
      this.page = null;
      throw new Error(`browser did not reach ${redirectUri} within ${timeoutMs} ms; it is at ${where}; page text: ${JSON.stringify(text)} (${e.message.split('\n')[0]})`);
    } finally {
      page.off('framenavigated', onNavigated);
    }
  }

  async close() {
    // Bounded: a hanging close must not hold the test up (Playwright kills Chromium on exit).
    await Promise.race([this.context.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
