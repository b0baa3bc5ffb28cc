// SPDX-License-Identifier: GPL-3.0-or-later
// The person's browser for core/upstream's tests: reads an authorization URL and the redirect
// URI (one per line) from stdin (not argv), opens the URL in headless Chromium (../lib/browser.mjs)
// and waits until the page reaches the redirect URI, where the test's own callback server
// receives code, state and iss. Prints `reached` on success; never prints the final URL (it
// holds the code).
import { Browser } from '../lib/browser.mjs';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const [authorizationUrl, redirectUri] = input.split('\n');
const browser = await Browser.launch();
try {
  await browser.authorize(authorizationUrl, redirectUri, { timeoutMs: 30000 });
  process.stdout.write('reached\n');
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
