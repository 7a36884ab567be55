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
// `<script type="module">` placed before /app.js in index.html), e.g. OpenID Connect in Production.
// The Development provider below is built in: POST /api/v1/auth/dev-token, which answers 404 in
// Production, so it hides itself there.

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

const DEV_KEY = 'jvmchat.dev-session';

/** Development tokens: any user id, no password. */
export const devTokenProvider = {
  id: 'dev',
  form: true,
  token: null,
  async available() {
    // 400 (no body) in Development, 404 in Production.
    const res = await fetch('/api/v1/auth/dev-token', { method: 'POST' });
    return res.status !== 404;
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
