// SPDX-License-Identifier: GPL-3.0-or-later
// The person's browser for quickstart.sh: its fake xdg-open runs this with the URL the demo
// opens. Headless Chromium follows Tessera's pages until the client's redirect URI, as a person's
// browser would; the test approves the prompt meanwhile. Prints no URL (it would hold the code).
import { Browser } from '../../interop/lib/browser.mjs';

const url = process.argv[2];
const redirect = new URL(url).searchParams.get('redirect_uri');
const browser = await Browser.launch();
try {
  await browser.authorize(url, redirect, { timeoutMs: 120000 });
  console.log('browser: reached the redirect URI');
} catch (e) {
  console.log(`browser: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
