// SPDX-License-Identifier: GPL-3.0-or-later
// An unbounded in-memory adapter for oidc-provider (the adapter interface of its docs:
// upsert/find/findByUid/findByUserCode/consume/destroy/revokeByGrantId).
// oidc-provider's bundled MemoryAdapter is an LRU capped at 1000 entries: a rotation benchmark
// writes a refresh token per request, so live tokens would be evicted within a second. Here
// nothing is evicted; expiry is checked when an entry is read (oidc-provider also checks `exp`
// on every model itself). All models share one store, keyed `Model:id`, with the same
// secondary indexes the bundled adapter keeps (session uid, user code, grant members).

const store = new Map(); // `${model}:${id}` -> { payload, expiresAt (ms, Infinity = never) }
const sessionUids = new Map(); // uid -> session id
const userCodes = new Map(); // user code -> device code id
const grantMembers = new Map(); // grantId -> Set of store keys

const grantable = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

function live(entry) {
  return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
}

export class UnboundedMemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    store.set(key, { payload, expiresAt });
    if (this.model === 'Session' && payload.uid) sessionUids.set(payload.uid, id);
    if (payload.userCode) userCodes.set(payload.userCode, id);
    if (grantable.has(this.model) && payload.grantId) {
      let members = grantMembers.get(payload.grantId);
      if (!members) grantMembers.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
  }

  async find(id) {
    return live(store.get(this.key(id)));
  }

  async findByUid(uid) {
    const id = sessionUids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    const key = this.key(id);
    const entry = store.get(key);
    store.delete(key);
    if (!entry) return;
    const { payload } = entry;
    if (payload.uid && sessionUids.get(payload.uid) === id) sessionUids.delete(payload.uid);
    if (payload.userCode && userCodes.get(payload.userCode) === id) userCodes.delete(payload.userCode);
    if (payload.grantId) grantMembers.get(payload.grantId)?.delete(key);
  }

  async revokeByGrantId(grantId) {
    const members = grantMembers.get(grantId);
    if (!members) return;
    for (const key of members) {
      const entry = store.get(key);
      store.delete(key);
      if (entry?.payload.userCode) userCodes.delete(entry.payload.userCode);
    }
    grantMembers.delete(grantId);
  }
}

/** Number of stored entries (for the benchmark's report: nothing was evicted). */
export function storedEntries() {
  return store.size;
}
