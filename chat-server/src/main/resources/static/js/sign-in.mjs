// sign-in.mjs: the page's pluggable sign-in. A sign-in provider turns a person into a bearer token;
// the page asks every registered provider whether it is available and shows one entry for each.
//
// A provider is an object:
//   {
//     id: 'oidc',                                  // unique
//     label: 'Sign in with Contoso',               // the button's text (omit when `form` is set)
//     form: false,                                 // true: the page's user id / name form (dev tokens)
//     available: async () => true,                 // shown only when it resolves true
//     signIn: async (input) => ({ userId, name }), // input: the form's {userId, name} (form providers)
//     accessToken: async () => 'jwt',              // called before every request and (re)connect
//     restore: async () => session or null,        // a session kept across reloads, if any
//     signOut: async () => {},
//   }
//
// Another module plugs in with `registerSignInProvider(provider)` before the page starts (a
// `<script type="module">` placed before /app.js in index.html). Two are built in, both following
// GET /api/v1/auth/config: Development tokens (POST /api/v1/auth/dev-token, shown when `devTokens`)
// and the server's OpenID Connect provider (through /oidc.js, shown when `oidc` is set). Optional
// fields: `buttonId` (the id of its button), `signOutNavigates` (signOut leaves the page).

const providers = [];

export function registerSignInProvider(provider) {
  if (!provider || typeof provider.id !== 'string' || typeof provider.accessToken !== 'function') {
    throw new TypeError('a sign-in provider needs an id and accessToken()');
  }
  if (providers.some((p) => p.id === provider.id)) throw new Error(`sign-in provider ${provider.id} exists`);
  providers.push(provider);
}

export function signInProviders() {
  return [...providers];
}

// What the server offers: GET /api/v1/auth/config → {environment, devTokens, oidc: {authority,
// clientId, scopes} or null}. Asked once.
let configPromise = null;
export function signInConfig() {
  if (!configPromise) {
    configPromise = fetch('/api/v1/auth/config')
      .then((res) => (res.ok ? res.json() : { devTokens: true, oidc: null }))
      .catch(() => ({ devTokens: true, oidc: null }));
  }
  return configPromise;
}

const DEV_KEY = 'jvmchat.dev-session';

/** Development tokens: any user id, no password. */
export const devTokenProvider = {
  id: 'dev',
  form: true,
  token: null,
  async available() {
    return (await signInConfig()).devTokens !== false;
  },
  async signIn({ userId, name }) {
    const res = await fetch('/api/v1/auth/dev-token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId, name: name || userId }),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || data.title || `HTTP ${res.status}`);
    this.token = data.accessToken;
    const session = { userId, name: name || userId, token: this.token };
    sessionStorage.setItem(DEV_KEY, JSON.stringify(session));
    return { userId: session.userId, name: session.name };
  },
  async restore() {
    try {
      const s = JSON.parse(sessionStorage.getItem(DEV_KEY) || 'null');
      if (!s || !s.token) return null;
      const payload = JSON.parse(atob(s.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      if (!(payload.exp * 1000 > Date.now() + 60_000)) return null;
      this.token = s.token;
      return { userId: s.userId, name: s.name };
    } catch {
      return null;
    }
  },
  async accessToken() {
    return this.token;
  },
  async signOut() {
    this.token = null;
    sessionStorage.removeItem(DEV_KEY);
  },
};

registerSignInProvider(devTokenProvider);

/**
 * The server's OpenID Connect provider, through /oidc.js (window.JvmchatOidc: code flow with PKCE,
 * refresh before expiry, sign-out at the provider), when the server's config names one.
 */
export const oidcProvider = {
  id: 'oidc',
  label: 'Sign in with your account',
  buttonId: 'oidc-signin',
  signOutNavigates: true,
  client: null,
  async available() {
    const config = await signInConfig();
    if (!config.oidc || !window.JvmchatOidc) return false;
    this.client = window.JvmchatOidc.createClient({
      authority: config.oidc.authority,
      clientId: config.oidc.clientId,
      scopes: config.oidc.scopes,
      redirectUri: location.origin + '/',
      onSignedOut: () => location.reload(),
    });
    return true;
  },
  async restore() {
    if ((await this.client.handleRedirect()) || this.client.resume()) {
      const u = this.client.user();
      return { userId: u.id, name: u.name || u.id };
    }
    return null;
  },
  async signIn() {
    await this.client.signIn(); // navigates to the provider
    return new Promise(() => {});
  },
  accessToken() {
    return this.client.accessToken();
  },
  async signOut() {
    await this.client.signOut(); // navigates to the provider's end-session endpoint and back
  },
};

registerSignInProvider(oidcProvider);
