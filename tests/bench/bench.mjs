// SPDX-License-Identifier: GPL-3.0-or-later
// Refresh-rotation benchmark (tests/bench/README.md): Tessera with its durable storage against
// node oidc-provider configured equivalently, in the same run, on loopback, with wrk and
// refresh.lua. Run it through tests/bench/run.sh (it builds, installs the npm packages and
// provides the private Secret Service Tessera needs).
//
//   node bench.mjs --bin-dir BUILD/bin [--duration 10] [--warmup 2] [--connections 16]
//                  [--threads 2] [--servers oidc-provider,tessera] [--json FILE] [--keep]
//                  [--perf FILE] [--strace FILE]
//
// Exit status: 0 when every measured request got a 200 with a rotated refresh token (whether
// or not the targets are met), 1 on any error (non-200, socket error, timeout, a server that
// died, a seeding failure), 2 on bad usage.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { checkRotation, registerClient, seedOidcProvider, seedTessera, tesseraCli, tesseraCliOk } from './seed.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const RESOURCE = 'http://127.0.0.1:8931/mcp';
const SCOPE = 'files:read';
const TARGET_RATIO = 4;
const TARGET_P99_MS = 5;

function usage(msg) {
  if (msg) console.error(`bench.mjs: ${msg}`);
  console.error('usage: node bench.mjs --bin-dir BUILD/bin [--duration S] [--warmup S] [--connections N] [--threads N] ' +
    '[--servers oidc-provider,tessera] [--json FILE] [--keep] [--perf FILE] [--strace FILE]');
  process.exit(2);
}

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      'bin-dir': { type: 'string', default: process.env.TESSERA_BIN_DIR },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '16' },
      threads: { type: 'string', default: '2' },
      servers: { type: 'string', default: 'oidc-provider,tessera' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      perf: { type: 'string' },
      strace: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  usage(e.message);
}
if (opts.help) usage();
const duration = Number(opts.duration);
const warmup = Number(opts.warmup);
const connections = Number(opts.connections);
const threads = Number(opts.threads);
const servers = opts.servers.split(',').map((s) => s.trim()).filter(Boolean);
if (!(duration > 0) || !(warmup >= 0) || !Number.isInteger(connections) || !Number.isInteger(threads) || threads < 1 ||
  connections < threads || connections % threads !== 0) {
  usage('duration > 0, warmup >= 0, and connections a multiple of threads are required');
}
for (const s of servers) if (!['oidc-provider', 'tessera'].includes(s)) usage(`unknown server ${s}`);
const binDir = opts['bin-dir'];
if (servers.includes('tessera')) {
  if (!binDir) usage('--bin-dir (or TESSERA_BIN_DIR) is required');
  for (const exe of ['tessera', 'tessera-cli']) if (!existsSync(join(binDir, exe))) usage(`${join(binDir, exe)} does not exist`);
}

// --- process bookkeeping ------------------------------------------------------------------
const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
function killChildren() {
  for (const c of children) c.kill('SIGKILL');
}
process.on('exit', killChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killChildren();
    process.exit(1);
  });
}

function tail(max = 100000) {
  let buf = '';
  return { push: (d) => { buf = (buf + d).slice(-max); }, text: () => buf };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process in ms (from /proc/PID/stat). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function rssKb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : NaN;
}

// --- servers ------------------------------------------------------------------------------
async function startOidcProvider(root) {
  const port = await freePort();
  const log = tail();
  const child = track(spawn(process.execPath, [join(here, 'oidc-provider', 'server.mjs'), '--port', String(port),
    '--resource', RESOURCE, '--scope', SCOPE],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } }));
  child.stderr.on('data', (d) => log.push(d));
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc-provider did not start within 60 s:\n${log.text()}`)), 60000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      log.push(d);
      const m = out.match(/^ready (\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider exited (${code ?? sig}) while starting:\n${log.text()}`));
    });
  });
  const clientId = await registerClient(`${issuer}/reg`);
  return { name: 'oidc-provider', issuer, tokenEndpoint: `${issuer}/token`, clientId, child, log, root,
    describe: `oidc-provider ${JSON.parse(readFileSync(join(here, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')).version}, unbounded in-memory adapter` };
}

/** Build type and age of the binary under test, so a stale or Debug build is visible in the report. */
function buildDescription() {
  let type = 'unknown build type';
  try {
    const m = readFileSync(join(binDir, '..', 'CMakeCache.txt'), 'utf8').match(/^CMAKE_BUILD_TYPE:[A-Z]*=(.*)$/m);
    if (m) type = m[1] || 'no build type';
  } catch {
    // a binary directory outside a CMake build
  }
  const built = statSync(join(binDir, 'tessera')).mtime.toISOString().replace(/\.\d+Z$/, 'Z');
  let commit = '';
  try {
    commit = execFileSync('git', ['-C', here, 'describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return `(${type}, binary built ${built}${commit ? `, tree ${commit}` : ''})`;
}

async function startTessera(root) {
  const dirs = { data: join(root, 'tessera', 'data'), config: join(root, 'tessera', 'config'), runtime: join(root, 'tessera', 'run') };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  await chmod(dirs.runtime, 0o700);
  const port = await freePort();
  const log = tail();
  const t0 = Date.now();
  const child = track(spawn(join(binDir, 'tessera'), ['--headless', '--port', String(port), '--data-dir', dirs.data,
    '--config-dir', dirs.config, '--runtime-dir', dirs.runtime, '--keychain-service', `tessera-bench-${process.pid}`],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' } }));
  child.stdout.on('data', (d) => log.push(d));
  child.stderr.on('data', (d) => log.push(d));
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`tessera exited (${child.exitCode ?? child.signalCode}) while starting:\n${log.text()}`);
    const r = await tesseraCli(binDir, dirs.runtime, ['status']);
    if (r.code === 0) break;
    if (r.code === 6) throw new Error(`tessera: keychain unavailable (run inside tests/support/with-keyring.sh):\n${log.text()}`);
    if (Date.now() - t0 > 30000) throw new Error(`tessera did not become ready within 30 s (status exit ${r.code}):\n${log.text()}`);
    await sleep(50);
  }
  const issuer = `http://127.0.0.1:${port}`;
  await tesseraCliOk(binDir, dirs.runtime, ['resource', 'add', 'bench', '--uri', RESOURCE, '--scope', SCOPE]);
  const clientId = await registerClient(`${issuer}/register`);
  return { name: 'tessera', issuer, tokenEndpoint: `${issuer}/token`, clientId, child, log, dirs, root, readyMs: Date.now() - t0,
    describe: `Tessera ${buildDescription()}, durable SQLite storage (WAL) in ${dirs.data}` };
}

async function stopServer(s) {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const gone = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

function alive(s) {
  return s.child.exitCode === null && s.child.signalCode === null;
}

// --- wrk ----------------------------------------------------------------------------------
function runWrk(server, { tokens, seconds, label }) {
  const tokensFile = join(server.root, `${server.name}-${label}.tokens`);
  const outFile = join(server.root, `${server.name}-${label}.result`);
  writeFileSync(tokensFile, `${tokens.join('\n')}\n`, { mode: 0o600 });
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s',
    '-s', join(here, 'refresh.lua'), server.tokenEndpoint];
  return new Promise((resolve, reject) => {
    const child = track(spawn('wrk', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_TOKENS: tokensFile, BENCH_OUT: outFile, BENCH_CLIENT_ID: server.clientId, BENCH_PER_THREAD: String(connections / threads) },
    }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !existsSync(outFile)) {
        reject(new Error(`wrk exited ${code} for ${server.name} (${label}):\n${out}`));
        return;
      }
      const r = {};
      for (const line of readFileSync(outFile, 'utf8').split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) r[line.slice(0, eq)] = line.slice(eq + 1);
      }
      for (const k of Object.keys(r)) if (k !== 'first_error' && r[k] !== '') r[k] = Number(r[k]);
      r.wrkOutput = out;
      resolve(r);
    });
  });
}

function errorsOf(r) {
  return r.bad + r.starved + r.err_connect + r.err_read + r.err_write + r.err_timeout;
}

/**
 * Attaches a profiler to the Tessera process for the measured run, if asked: perf (on-CPU
 * samples with DWARF call graphs; RelWithDebInfo has the symbols) or strace -c (system calls
 * per kind: pwrite64/fdatasync show the storage cost per request).
 */
function startProfiler(tool, pid, file, seconds) {
  const argv = tool === 'perf'
    ? ['perf', 'record', '-F', '499', '--call-graph', 'dwarf,16384', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)]
    : ['timeout', '-s', 'INT', String(seconds), 'strace', '-c', '-f', '-o', file, '-p', String(pid)];
  const child = track(spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

async function measure(server, sets) {
  console.log(`\n== ${server.name}: ${server.describe}`);
  if (warmup > 0) {
    const w = await runWrk(server, { tokens: sets.warmup, seconds: warmup, label: 'warmup' });
    console.log(`  warm-up ${warmup} s:${w.wrkOutput.split('\n').filter((l) => /p50|first error/.test(l)).join('\n').replace(/^ +/, ' ')}`);
    if (errorsOf(w) > 0) return { ...w, phase: 'warm-up' };
    if (!alive(server)) return { ...w, phase: 'warm-up', died: true };
  }
  const pid = server.child.pid;
  const cpu0 = cpuMs(pid);
  const profiling = server.name === 'tessera' ? ['perf', 'strace'].filter((t) => opts[t]) : [];
  const profilers = profiling.map((t) => ({ tool: t, done: startProfiler(t, pid, opts[t], duration) }));
  const r = await runWrk(server, { tokens: sets.main, seconds: duration, label: 'main' });
  r.died = !alive(server);
  if (!r.died) {
    r.cpuMs = cpuMs(pid) - cpu0;
    r.rssKb = rssKb(pid);
  }
  for (const { tool, done } of profilers) {
    const p = await done;
    // timeout(1) exits 124 when it had to stop strace, which is the normal end here.
    const ok = p.code === 0 || (tool === 'strace' && p.code === 124);
    const note = ok ? `${tool} output in ${opts[tool]}` : `${tool} failed (${p.code}): ${p.out.trim().split('\n').slice(-3).join(' | ')}`;
    console.log(`  ${note}`);
  }
  console.log(`  measured ${duration} s:${r.wrkOutput.split('\n').filter((l) => /p50|first error/.test(l)).join('\n').replace(/^ +/, ' ')}`);
  r.phase = 'measured';
  return r;
}

function fmtMs(us) {
  return (us / 1000).toFixed(2);
}

// --- main ---------------------------------------------------------------------------------
async function main() {
  const root = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  const started = [];
  let failed = false;
  const results = {};
  try {
    let wrkVersion = '';
    try {
      execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      wrkVersion = String(e.stdout ?? '').split('\n')[0]; // `wrk -v` prints its version and exits 1
    }
    console.log('\nRefresh-token rotation at /token');
    console.log(`  node ${process.version}, ${wrkVersion || 'wrk'}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`  wrk -t${threads} -c${connections}: ${warmup} s warm-up, then ${duration} s measured, per server, one after the other`);

    const active = [];
    for (const name of servers) {
      const s = name === 'tessera' ? await startTessera(root) : await startOidcProvider(root);
      started.push(s);
      active.push(s);
      console.log(`  ${name} listening at ${s.issuer}${s.readyMs ? ` (ready in ${s.readyMs} ms)` : ''}`);
    }

    // Seeding: a warm-up set and a measured set per server (tokens in flight when wrk stops
    // are lost; they are never sent again), plus one token for the rotation check.
    const sets = {};
    for (const s of active) {
      const t0 = Date.now();
      const count = 2 * connections + 1;
      const common = { issuer: s.issuer, clientId: s.clientId, resource: RESOURCE, scope: SCOPE, count };
      const tokens = s.name === 'tessera'
        ? await seedTessera({ ...common, binDir, runtimeDir: s.dirs.runtime })
        : await seedOidcProvider(common);
      if (new Set(tokens).size !== tokens.length) throw new Error(`${s.name}: seeding returned duplicate refresh tokens`);
      const check = await checkRotation(s.tokenEndpoint, { refreshToken: tokens.pop(), clientId: s.clientId, resource: RESOURCE, scope: SCOPE });
      sets[s.name] = { warmup: tokens.slice(0, connections), main: tokens.slice(connections) };
      console.log(`  ${s.name}: ${count} code flows in ${Date.now() - t0} ms; refresh ${check}`);
    }

    for (const s of active) {
      const r = await measure(s, sets[s.name]);
      results[s.name] = r;
      if (r.died) console.error(`  ${s.name} DIED during the ${r.phase} run:\n${s.log.text()}`);
      if (errorsOf(r) > 0 || r.died) failed = true;
      if (failed) break;
    }

    const tessera = started.find((s) => s.name === 'tessera');
    if (tessera && results.tessera && alive(tessera)) {
      const files = readdirSync(tessera.dirs.data).map((f) => `${f} ${(statSync(join(tessera.dirs.data, f)).size / 1024).toFixed(0)} KiB`);
      const grants = await tesseraCliOk(binDir, tessera.dirs.runtime, ['grants'], { json: true });
      const uses = grants.reduce((n, g) => n + (g.useCount ?? 0), 0);
      console.log(`\n  Tessera storage after the run: ${files.join(', ')}; grants ${grants.length}, recorded uses ${uses}`);
    }

    // --- report -------------------------------------------------------------------------
    const rows = Object.entries(results);
    console.log('\n| server | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/req | RSS MiB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, r] of rows) {
      const cpuPer = r.cpuMs !== undefined && r.requests ? (r.cpuMs / r.requests).toFixed(3) : '-';
      const rss = r.rssKb ? (r.rssKb / 1024).toFixed(1) : '-';
      console.log(`| ${name}${r.phase !== 'measured' ? ` (${r.phase})` : ''} | ${r.rps.toFixed(0)} | ${fmtMs(r.lat_p50_us)} | ${fmtMs(r.lat_p99_us)} | ` +
        `${fmtMs(r.lat_max_us)} | ${errorsOf(r)} | ${cpuPer} | ${rss} |`);
    }
    const t = results.tessera;
    const o = results['oidc-provider'];
    const summary = { node: process.version, threads, connections, duration, warmup, loadavg: loadavg(), results: {} };
    for (const [name, r] of rows) {
      const { wrkOutput, ...rest } = r;
      summary.results[name] = rest;
    }
    if (t && o && !failed) {
      const ratio = t.rps / o.rps;
      const p99 = t.lat_p99_us / 1000;
      summary.ratio = ratio;
      console.log(`\nTessera / oidc-provider throughput: ${ratio.toFixed(2)}x (target >= ${TARGET_RATIO}x: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'})`);
      console.log(`Tessera p99: ${p99.toFixed(2)} ms (target <= ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'MISSED'})`);
    }
    if (opts.json) writeFileSync(opts.json, `${JSON.stringify(summary, null, 2)}\n`);
    if (failed) {
      console.error('\nFAILED: errors during the run; these figures are not a measurement.');
      for (const [name, r] of rows) {
        if (errorsOf(r) > 0) {
          console.error(`  ${name}: non-200 ${r.bad}, socket errors connect/read/write ${r.err_connect}/${r.err_read}/${r.err_write}, ` +
            `timeouts ${r.err_timeout}, starved ${r.starved}; first error: ${r.first_error || '(none)'}`);
        }
      }
    }
  } catch (e) {
    failed = true;
    console.error(`\nFAILED: ${e.message}`);
    for (const s of started) {
      if (!alive(s)) console.error(`--- ${s.name} output ---\n${s.log.text()}`);
    }
  } finally {
    for (const s of started) await stopServer(s);
    if (opts.keep) console.log(`(kept ${root})`);
    else await rm(root, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
