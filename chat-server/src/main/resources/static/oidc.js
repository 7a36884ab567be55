// OpenID Connect sign-in for a browser page: the authorization code flow with PKCE (RFC 7636, S256)
// against the provider's discovery document, tokens kept in sessionStorage (this tab only), the
// access token refreshed with the refresh token before it expires, sign-out at the provider's
// end_session_endpoint. Knows nothing of the chat page: it exposes window.JvmchatOidc.createClient.
//
//   const oidc = JvmchatOidc.createClient({ authority, clientId, scopes, redirectUri,
//                                           onSignedOut: (error) => ... });
//   if (await oidc.handleRedirect() || oidc.resume()) { ... oidc.user(), await oidc.accessToken() }
//   oidc.signIn();  oidc.signOut();
(() => {
  'use strict';

  const STORAGE_KEY = 'jvmchat.oidc.tokens';
  const PENDING_KEY = 'jvmchat.oidc.pending';
  // Refresh when a quarter of the token's life (at most a minute) is left.
  const MAX_REFRESH_LEAD_MS = 60_000;

  function base64Url(bytes) {
    let s = '';
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function randomString(bytes = 32) {
    return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
  }

  async function s256(text) {
    return base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  }

  /** The claims of a JWT, unverified (the server verifies; the page only reads names and times). */
  function claimsOf(jwt) {
    try {
      const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bin = atob(part);
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      return {};
    }
  }

  function createClient({ authority, clientId, scopes, redirectUri, onSignedOut }) {
    let metadataPromise = null;
    let tokens = load();
    let timer = null;
    let refreshing = null;

    function load() {
      try {
        return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      } catch (e) {
        return null;
      }
    }

    function save() {
      if (tokens) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
      else sessionStorage.removeItem(STORAGE_KEY);
    }

    function metadata() {
      if (!metadataPromise) {
        const url = authority.replace(/\/$/, '') + '/.well-known/openid-configuration';
        metadataPromise = fetch(url)
          .then(async (res) => {
            if (!res.ok) throw new Error('The sign-in provider answered ' + res.status);
            const m = await res.json();
            if (m.issuer !== authority) {
              throw new Error('The sign-in provider is ' + m.issuer + ', not ' + authority);
            }
            return m;
          })
          .catch((err) => {
            metadataPromise = null;
            throw err;
          });
      }
      return metadataPromise;
    }

    async function signIn() {
      const m = await metadata();
      const verifier = randomString(48);
      const state = randomString();
      const nonce = randomString();
      sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce }));
      const url = new URL(m.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: scopes,
        state,
        nonce,
        code_challenge: await s256(verifier),
        code_challenge_method: 'S256',
      }).toString();
      location.assign(url.toString());
    }

    /** Completes a sign-in when the page is the provider's redirect; true when it was. */
    async function handleRedirect() {
      const params = new URLSearchParams(location.search);
      if (!params.has('code') && !params.has('error')) return false;
      const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null');
      sessionStorage.removeItem(PENDING_KEY);
      history.replaceState(null, '', location.pathname); // the code is single-use: drop it
      if (params.has('error')) {
        throw new Error('Sign-in failed: ' + (params.get('error_description') || params.get('error')));
      }
      if (!pending || pending.state !== params.get('state')) {
        throw new Error('Sign-in failed: the answer does not belong to this sign-in');
      }
      await tokenRequest(
        {
          grant_type: 'authorization_code',
          code: params.get('code'),
          redirect_uri: redirectUri,
          client_id: clientId,
          code_verifier: pending.verifier,
        },
        pending.nonce,
      );
      return true;
    }

    async function tokenRequest(form, nonce) {
      const m = await metadata();
      const res = await fetch(m.token_endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok || !data.access_token) {
        throw new Error('The sign-in provider refused: ' + (data.error_description || data.error || res.status));
      }
      const idClaims = data.id_token ? claimsOf(data.id_token) : (tokens && tokens.idClaims) || {};
      if (nonce !== undefined && idClaims.nonce !== nonce) {
        throw new Error('Sign-in failed: the ID token is not for this sign-in');
      }
      const now = Date.now();
      const exp = claimsOf(data.access_token).exp;
      const expiresAt = data.expires_in ? now + data.expires_in * 1000 : exp ? exp * 1000 : now + 300_000;
      tokens = {
        accessToken: data.access_token,
        refreshToken: data.refresh_token || (tokens && tokens.refreshToken) || null,
        idToken: data.id_token || (tokens && tokens.idToken) || null,
        idClaims,
        expiresAt,
        lifetime: Math.max(0, expiresAt - now),
      };
      save();
      schedule();
    }

    function schedule() {
      clearTimeout(timer);
      if (!tokens || !tokens.refreshToken) return;
      const lead = Math.min(MAX_REFRESH_LEAD_MS, tokens.lifetime / 4);
      timer = setTimeout(() => {
        refresh().catch((err) => signedOut(err));
      }, Math.max(0, tokens.expiresAt - lead - Date.now()));
    }

    function refresh() {
      if (!refreshing) {
        if (!tokens || !tokens.refreshToken) return Promise.reject(new Error('The session ended: sign in again'));
        refreshing = tokenRequest({
          grant_type: 'refresh_token',
          refresh_token: tokens.refreshToken,
          client_id: clientId,
        }).finally(() => {
          refreshing = null;
        });
      }
      return refreshing;
    }

    function signedOut(err) {
      clearTimeout(timer);
      tokens = null;
      save();
      if (onSignedOut) onSignedOut(err);
    }

    /** The access token, refreshed first when it has (almost) expired. */
    async function accessToken() {
      if (!tokens) throw new Error('Not signed in');
      if (Date.now() > tokens.expiresAt - 2000) {
        try {
          await refresh();
        } catch (err) {
          signedOut(err);
          throw err;
        }
      }
      return tokens.accessToken;
    }

    /** Ends the session here and at the provider (which redirects back to redirectUri). */
    async function signOut() {
      const idToken = tokens && tokens.idToken;
      clearTimeout(timer);
      tokens = null;
      save();
      const m = await metadata().catch(() => null);
      if (m && m.end_session_endpoint) {
        const url = new URL(m.end_session_endpoint);
        const q = { client_id: clientId, post_logout_redirect_uri: redirectUri };
        if (idToken) q.id_token_hint = idToken;
        url.search = new URLSearchParams(q).toString();
        location.assign(url.toString());
      } else {
        location.assign(redirectUri);
      }
    }

    /** {id, name} of the signed-in user, or null. */
    function user() {
      if (!tokens) return null;
      const a = claimsOf(tokens.accessToken);
      const c = tokens.idClaims || {};
      return { id: a.sub || c.sub, name: c.name || c.preferred_username || a.name || a.sub };
    }

    /** Picks up the tokens this tab already has (after a reload); true when signed in. */
    function resume() {
      if (!tokens) return false;
      if (Date.now() > tokens.expiresAt && !tokens.refreshToken) {
        signedOut();
        return false;
      }
      schedule();
      return true;
    }

    return { signIn, handleRedirect, resume, accessToken, refresh, signOut, user };
  }

  window.JvmchatOidc = { createClient };
})();
