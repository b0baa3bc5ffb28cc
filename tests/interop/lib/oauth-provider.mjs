// SPDX-License-Identifier: GPL-3.0-or-later
// An in-memory OAuthClientProvider for the MCP TypeScript SDK clients (1.x and 2.x share the
// shape used here): a native public client with a loopback redirect URI whose "browser" is the
// headless Chromium driver. Stores what the SDK hands it unchanged (SEP-2352 issuer stamps).
import { randomBytes } from 'node:crypto';

export class InteropOAuthProvider {
  constructor({ env, clientName, extraMetadata = {}, persistDiscovery = false }) {
    this.env = env;
    if (persistDiscovery) {
      // SDK 2.x binds the callback leg to the AS recorded here (SEP-2352).
      this.saveDiscoveryState = (state) => {
        this._discovery = state;
      };
      this.discoveryState = () => this._discovery;
    }
    this.clientName = clientName;
    this.extraMetadata = extraMetadata;
    this._client = undefined;
    this._tokens = undefined;
    this._verifier = undefined;
    /** Every token set saved, oldest first (kept in memory only, never printed). */
    this.tokenHistory = [];
    /** Each authorization request the SDK started: its parameters, credentials removed. */
    this.authorizations = [];
    this.invalidations = [];
    this.states = [];
    this._navigation = null;
  }

  get redirectUrl() {
    return this.env.callback.url;
  }

  get clientMetadata() {
    return {
      client_name: this.clientName,
      redirect_uris: [this.env.callback.url],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...this.extraMetadata,
    };
  }

  state() {
    const s = randomBytes(16).toString('base64url');
    this.states.push(s);
    return s;
  }

  clientInformation() {
    return this._client;
  }

  saveClientInformation(info) {
    this._client = info;
  }

  get clientId() {
    return this._client?.client_id;
  }

  tokens() {
    return this._tokens;
  }

  saveTokens(tokens) {
    this._tokens = tokens;
    this.tokenHistory.push(tokens);
  }

  saveCodeVerifier(v) {
    this._verifier = v;
  }

  codeVerifier() {
    if (!this._verifier) throw new Error('no code verifier saved');
    return this._verifier;
  }

  invalidateCredentials(scope) {
    this.invalidations.push(scope);
    if (scope === 'all' || scope === 'client') this._client = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this._discovery = undefined;
  }

  redirectToAuthorization(url) {
    const p = url.searchParams;
    this.authorizations.push({
      endpoint: url.origin + url.pathname,
      response_type: p.get('response_type'),
      client_id: p.get('client_id'),
      redirect_uri: p.get('redirect_uri'),
      scope: p.get('scope'),
      resource: p.get('resource'),
      code_challenge_method: p.get('code_challenge_method'),
      has_code_challenge: p.has('code_challenge'),
      has_state: p.has('state'),
      prompt: p.get('prompt'),
    });
    // The person's browser opens the URL; the flow awaits completeAuthorization().
    this._navigation = this.env.browser.authorize(url.href, this.redirectUrl).then(
      () => null,
      (e) => e,
    );
  }

  /**
   * Waits for the browser to land on the redirect URI and returns the authorization response
   * parameters the callback server received.
   */
  async completeAuthorization({ timeoutMs = 30000 } = {}) {
    if (!this._navigation) throw new Error('the SDK never asked to open the browser (redirectToAuthorization not called)');
    const navError = await this._navigation;
    this._navigation = null;
    if (navError) throw navError;
    return this.env.callback.next({ timeoutMs });
  }
}
