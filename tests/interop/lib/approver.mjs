// SPDX-License-Identifier: GPL-3.0-or-later
// The person at the keyboard, headless: polls the authorization server's pending consent
// requests (for Tessera: `tessera-cli --json requests`) and decides each one it is meant to
// (for Tessera: `tessera-cli approve ID [--scope S]... [--for D]` or `deny ID`).
// Every request seen and every decision taken is recorded for the flows to assert on.

/**
 * Starts polling `as.listRequests()` every `intervalMs`.
 * `decide(request)` returns { action: 'approve', scopes?, duration? } | { action: 'deny' } |
 * null (not ours: leave it alone). Requests are decided once each.
 */
export function startApprover(as, { decide, intervalMs = 50 } = {}) {
  const seen = new Map(); // id -> { request, decision, error }
  const waiters = [];
  let stopped = false;
  let lastError = null;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        const list = await as.listRequests();
        for (const req of list) {
          if (seen.has(req.id)) continue;
          const decision = decide ? decide(req) : { action: 'approve' };
          if (!decision) continue;
          const record = { request: req, decision, at: Date.now() };
          seen.set(req.id, record);
          try {
            if (decision.action === 'approve') await as.approve(req.id, decision);
            else await as.deny(req.id);
          } catch (e) {
            record.error = e.message;
          }
          notify();
        }
        lastError = null;
      } catch (e) {
        lastError = e.message;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();

  return {
    /** Every decided request, in order: { request, decision, error? }. */
    get decisions() {
      return [...seen.values()];
    },
    get lastError() {
      return lastError;
    },
    /** Resolves with the nth decision (0-based) once it exists. */
    waitForDecision(n, { timeoutMs = 30000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const d = [...seen.values()][n];
          if (d) {
            cleanup();
            resolve(d);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`approver: no decision #${n} within ${timeoutMs} ms (last poll error: ${lastError ?? 'none'})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
        };
        waiters.push(check);
        check();
      });
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
