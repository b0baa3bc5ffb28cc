// SPDX-License-Identifier: GPL-3.0-or-later
// Starts an isolated Tessera (`tessera --headless`) for one test file, following
// shared/briefs/tessera-contract.md: temp data/config/runtime dirs, a free loopback port, its
// own keychain service name; ready when `tessera-cli --runtime-dir R status` exits 0.
// Also the administrative side as the AS adapter the flows use (resources, clients,
// approvals, revocation) over tessera-cli. Secrets go over stdin, never argv.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './net.mjs';

export const EXIT = { ok: 0, failure: 1, usage: 2, denied: 3, timeout: 4, notRunning: 5, noKeychain: 6 };

// Never leave a Tessera behind: not on a normal exit, not when the runner is interrupted.
const live = new Set();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.exit(128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig]);
  });
}

export function tesseraBinDir() {
  const dir = process.env.TESSERA_BIN_DIR;
  if (!dir) throw new Error('TESSERA_BIN_DIR is not set (ctest sets it to <build>/bin)');
  for (const exe of ['tessera', 'tessera-cli']) {
    if (!existsSync(join(dir, exe))) throw new Error(`${join(dir, exe)} does not exist: build the tessera and tessera-cli targets`);
  }
  return dir;
}

/** Keeps the last `max` characters of a stream. */
function tail(max = 200000) {
  let buf = '';
  return {
    push: (d) => {
      buf += d;
      if (buf.length > max) buf = buf.slice(buf.length - max);
    },
    text: () => buf,
  };
}

/** Runs tessera-cli; resolves { code, stdout, stderr, json }. Never rejects on a non-zero exit. */
export function runCli(binDir, runtimeDir, args, { json = false, input } = {}) {
  const argv = ['--runtime-dir', runtimeDir, ...(json ? ['--json'] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(join(binDir, 'tessera-cli'), argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let parsed;
      if (json && stdout.trim()) {
        try {
          parsed = JSON.parse(stdout);
        } catch {
          parsed = undefined;
        }
      }
      resolve({ code, stdout, stderr, json: parsed, argv: args });
    });
    // tessera-cli may exit before it reads stdin (usage error, not running): EPIPE is no failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export async function startTessera({ readyTimeoutMs = 15000 } = {}) {
  const binDir = tesseraBinDir();
  const root = await mkdtemp(join(tmpdir(), 'tessera-interop-'));
  const dirs = { data: join(root, 'data'), config: join(root, 'config'), runtime: join(root, 'run') };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  await chmod(dirs.runtime, 0o700);
  const keychainService = `tessera-interop-${randomBytes(6).toString('hex')}`;

  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const log = tail();
    const child = spawn(
      join(binDir, 'tessera'),
      ['--headless', '--port', String(port), '--data-dir', dirs.data, '--config-dir', dirs.config,
        '--runtime-dir', dirs.runtime, '--keychain-service', keychainService],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' } },
    );
    live.add(child);
    child.stdout.on('data', (d) => log.push(d));
    child.stderr.on('data', (d) => log.push(d));
    let exited = null;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
    });

    const deadline = Date.now() + readyTimeoutMs;
    let status;
    for (;;) {
      if (exited) break;
      status = await runCli(binDir, dirs.runtime, ['status'], { json: true });
      if (status.code === EXIT.ok) break;
      if (status.code === EXIT.noKeychain) break;
      // Observed: while it starts, status answers exit 1 with state "starting" (the contract
      // names only 5 for "not yet"); keep waiting in that state too.
      const starting = status.code === EXIT.failure && status.json?.state === 'starting';
      if (status.code !== EXIT.notRunning && !starting) break;
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    if (status?.code === EXIT.ok && !exited) {
      return new TesseraProcess({ binDir, root, dirs, port, child, log, keychainService });
    }
    if (!exited) child.kill('SIGKILL');
    lastError =
      `tessera did not become ready (attempt ${attempt + 1}): ` +
      (exited ? `it exited with ${exited.code ?? exited.signal}` : `tessera-cli status exited ${status?.code}: ${status?.stderr.trim() || status?.stdout.trim()}`) +
      `\n--- tessera output ---\n${log.text()}`;
    // Retry only a lost port race; anything else is a real failure.
    if (!/address.*in use|EADDRINUSE/i.test(log.text())) break;
  }
  await rm(root, { recursive: true, force: true });
  throw new Error(lastError);
}

export class TesseraProcess {
  constructor({ binDir, root, dirs, port, child, log, keychainService }) {
    Object.assign(this, { binDir, root, dirs, port, child, log, keychainService });
    this.issuer = `http://127.0.0.1:${port}`;
  }

  cli(args, opts) {
    return runCli(this.binDir, this.dirs.runtime, args, opts);
  }

  /** Like cli() but throws, with the command's output and Tessera's log tail, unless it exits 0. */
  async cliOk(args, opts) {
    const r = await this.cli(args, opts);
    if (r.code !== 0) {
      throw new Error(`tessera-cli ${args[0]} ${args[1] ?? ''} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    return r;
  }

  output() {
    return this.log.text();
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Throws a readable error when a CLI command Tessera should have is missing. */
function requireCommand(r, what) {
  if (r.code === EXIT.usage && /unknown command|usage/i.test(r.stderr + r.stdout)) {
    throw new Error(`tessera-cli has no working '${what}' command yet (exit 2: ${r.stderr.trim().split('\n')[0]}): Tessera's authorization server is not built yet`);
  }
}

/** Tessera as the authorization server of a flow: same interface as lib/reference-as.mjs. */
export async function startTesseraAs() {
  const t = await startTessera();
  const as = {
    kind: 'tessera',
    /** Where Tessera differs from shared/briefs/tessera-contract.md but the flow could go on. */
    deviations: [],
    issuer: t.issuer,
    jwksUri: `${t.issuer}/jwks`,
    process: t,

    async addResource({ name, uri, scopes, defaultScopes = [], tokenLifetime, displayName }) {
      const secret = randomBytes(24).toString('base64url');
      const args = ['resource', 'add', name, '--uri', uri];
      for (const s of scopes) args.push('--scope', `${s.name}${s.risk === 'high' ? ':high' : ''}${s.description ? `=${s.description}` : ''}`);
      for (const s of defaultScopes) args.push('--default-scope', s);
      if (displayName) args.push('--display-name', displayName);
      if (tokenLifetime) args.push('--token-lifetime', String(tokenLifetime));
      // Contract: the introspection secret comes on stdin. Observed: Tessera has
      // `--introspection` instead and prints a secret it made; use that, and say so.
      let r = await t.cli([...args, '--introspection-secret-stdin'], { json: true, input: `${secret}\n` });
      requireCommand(r, 'resource add');
      let password = secret;
      if (r.code === EXIT.usage && /introspection-secret-stdin/.test(r.stderr)) {
        as.deviations.push('resource add: no --introspection-secret-stdin (contract); used --introspection, secret printed by Tessera');
        r = await t.cli([...args, '--introspection'], { json: true });
        password = r.json?.introspectionSecret;
      }
      if (r.code !== 0) throw new Error(`tessera-cli resource add exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      if (!password) throw new Error('tessera-cli --json resource add printed no introspection secret');
      const printed = { ...r.json };
      delete printed.introspectionSecret;
      return { name, introspection: { user: name, password }, printed };
    },

    async prm(name) {
      const r = await t.cliOk(['resource', 'prm', name]);
      return JSON.parse(r.stdout);
    },

    async addClient({ name, redirectUris, confidential = false }) {
      const args = ['client', 'add', '--name', name];
      for (const u of redirectUris) args.push('--redirect-uri', u);
      if (confidential) args.push('--confidential');
      const r = await t.cli(args, { json: true });
      requireCommand(r, 'client add');
      if (r.code !== 0) throw new Error(`tessera-cli client add exited ${r.code}: ${r.stderr.trim()}`);
      const j = r.json ?? {};
      const clientId = j.client_id ?? j.clientId;
      if (!clientId) throw new Error(`tessera-cli --json client add printed no client_id: ${JSON.stringify(Object.keys(j))}`);
      return { client_id: clientId, client_secret: j.client_secret ?? j.clientSecret };
    },

    async listRequests() {
      const r = await t.cli(['requests'], { json: true });
      requireCommand(r, 'requests');
      if (r.code !== 0) throw new Error(`tessera-cli requests exited ${r.code}: ${r.stderr.trim()}`);
      if (!Array.isArray(r.json)) throw new Error(`tessera-cli --json requests did not print a JSON array: ${r.stdout.slice(0, 200)}`);
      return r.json;
    },

    async approve(id, { scopes = [], duration } = {}) {
      const args = ['approve', String(id)];
      for (const s of scopes) args.push('--scope', s);
      if (duration) args.push('--for', duration);
      await t.cliOk(args);
    },

    async deny(id) {
      await t.cliOk(['deny', String(id)]);
    },

    async revokeClient(clientId) {
      await t.cliOk(['revoke', '--client', clientId]);
    },

    async grants() {
      const r = await t.cliOk(['grants'], { json: true });
      return r.json;
    },

    diagnostics() {
      const dev = as.deviations.length ? `--- contract deviations ---\n${as.deviations.join('\n')}\n` : '';
      return `${dev}--- tessera output (port ${t.port}) ---\n${t.output()}`;
    },

    stop: () => t.stop(),
  };
  return as;
}
