/*
 * kakao-login browser client: one ES module, no dependencies, no build step. Served by the API
 * at /sdk/kakao-login.js (types at /sdk/kakao-login.d.ts); copy both into any app as they are.
 *
 *   import { configure, startLogin, completeLogin, me, refresh, logout } from "./kakao-login.js";
 *   const client = configure({ apiBaseURL: "https://api.example.com" });
 *   await startLogin("kakao");                       // start page: goes to Kakao's consent page
 *   const result = await completeLogin();            // callback page: tokens in memory
 *   client.addEventListener("signedout", (event) => console.log(event.detail.reason));
 *
 * Rules it keeps:
 * - The code is read from the address bar and removed at once; it is posted once per document
 *   (React StrictMode's double effect, a script run twice) and never again after a reload.
 * - Only the tab that started a login may complete it (its state is in sessionStorage).
 * - Tokens stay in memory unless `tokenStorage` says otherwise; nothing is logged.
 * - Every failure is a LoginError whose `code` is the API's stable code (DESIGN.md).
 */

const prefix = "kakao-login:";
/** sessionStorage: the attempt this tab started, {provider, state, binding, token?, redirectURI?}. */
const attemptKey = prefix + "attempt";
/** sessionStorage: the callback this tab handles, {fp, provider, binding, token?, loginId, phase}. */
const callbackKey = prefix + "callback";
/** session- or localStorage, when `tokenStorage` asks for it. */
const tokensKey = prefix + "tokens";
/** The document-wide record of running completions (shared by every copy of this module). */
const guardKey = Symbol.for("kakao-login.completions");

const retryableStatuses = new Set([408, 429, 502, 503, 504]);
/** 401 codes after which the session is gone: the client signs out. */
const sessionEndedCodes = new Set(["session_revoked", "session_expired", "invalid_refresh_token", "refresh_token_reused"]);

/** A failure with the API's stable code (`error.code`), or one of this client's own. */
export class LoginError extends Error {
  constructor(code, message, details = {}) {
    super(message || code);
    this.name = "LoginError";
    this.code = code;
    this.status = details.status ?? 0;
    this.providerError = details.providerError ?? null;
    this.requiredScopes = details.requiredScopes ?? null;
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
  }

  /** Network errors, 408, 429, 502, 503 and 504: the same request may succeed later. */
  get retryable() {
    return this.code === "network_error" || (this.status !== 0 && retryableStatuses.has(this.status));
  }
}

// MARK: - Small helpers

function storage(kind) {
  try {
    return kind === "localStorage" ? globalThis.localStorage : kind === "sessionStorage" ? globalThis.sessionStorage : null;
  } catch (_) {
    return null; // blocked by a policy or a sandbox
  }
}

function readJSON(store, key) {
  try {
    const text = store && store.getItem(key);
    return text ? JSON.parse(text) : null;
  } catch (_) {
    return null;
  }
}

function writeJSON(store, key, value) {
  try {
    if (value === null) store.removeItem(key);
    else store.setItem(key, JSON.stringify(value));
    return true;
  } catch (_) {
    return false;
  }
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Full-jitter exponential backoff, at least what Retry-After asks for. */
function backoff(retry, failures, error) {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** failures);
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  const asked = error.retryAfterSeconds === null ? 0 : error.retryAfterSeconds * 1000;
  return Math.min(Math.max(jittered, asked), retry.maxDelayMs);
}

function parseRetryAfter(value) {
  const seconds = Number.parseInt(value || "", 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** A non-reversible fingerprint of the code, to recognise it without storing it. */
function fingerprint(text) {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

function checkProvider(provider) {
  if (typeof provider !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(provider)) {
    throw new LoginError("invalid_request", "Unknown provider: " + String(provider));
  }
  return provider;
}

/** The provider's redirect parameters, read and removed from the address bar before anything else. */
function takeRedirectParameters() {
  const query = new URLSearchParams(globalThis.location.search);
  if (globalThis.location.search) {
    globalThis.history.replaceState(globalThis.history.state, "", globalThis.location.pathname + globalThis.location.hash);
  }
  return { code: query.get("code"), state: query.get("state"), error: query.get("error"), description: query.get("error_description") };
}

function tokensFrom(data) {
  if (!data || typeof data.access_token !== "string" || typeof data.refresh_token !== "string") return null;
  const expiresIn = typeof data.expires_in === "number" ? data.expires_in : 900;
  return { accessToken: data.access_token, refreshToken: data.refresh_token, tokenType: data.token_type || "Bearer", expiresAt: Date.now() + expiresIn * 1000 };
}

// MARK: - The client

/** Talks to one kakao-login API. Events: "signedin", "signedout", "tokens", "request". */
export class LoginClient extends EventTarget {
  #options;
  #tokens = null;
  #refreshing = null;
  /** The completions whose tokens this client took (each only once). */
  #adopted = new WeakSet();

  /**
   * options: apiBaseURL ("" = this origin), binding ("cookie" | "header"), tokenStorage
   * ("memory" | "sessionStorage" | "localStorage"), redirectURI, waitSeconds (0–30),
   * pollTimeoutMs, retry {attempts, baseDelayMs, maxDelayMs}, fetch.
   */
  constructor(options = {}) {
    super();
    const binding = options.binding || "cookie";
    if (binding !== "cookie" && binding !== "header") throw new LoginError("invalid_request", "binding must be cookie or header");
    this.#options = {
      apiBaseURL: String(options.apiBaseURL || "").replace(/\/+$/, ""),
      binding,
      tokenStorage: options.tokenStorage || "memory",
      redirectURI: options.redirectURI || null,
      waitSeconds: Math.min(30, Math.max(0, options.waitSeconds ?? 25)),
      pollTimeoutMs: options.pollTimeoutMs ?? 180_000,
      retry: Object.assign({ attempts: 8, baseDelayMs: 500, maxDelayMs: 8_000 }, options.retry || {}),
      fetch: options.fetch || ((...args) => globalThis.fetch(...args)),
    };
    this.#tokens = readJSON(this.#tokenStore(), tokensKey);
  }

  get binding() {
    return this.#options.binding;
  }

  /** Whether the client holds tokens. */
  get signedIn() {
    return this.#tokens !== null;
  }

  /** The current tokens (a copy), or null. */
  get session() {
    return this.#tokens ? { ...this.#tokens } : null;
  }

  /**
   * Starts a login (or, with link: true, links `provider` to the signed-in user) and goes to the
   * provider's consent page; with navigate: false it only returns {authorizeURL}.
   */
  async startLogin(provider, options = {}) {
    checkProvider(provider);
    const session = storage("sessionStorage");
    if (!session) throw new LoginError("storage_unavailable", "sessionStorage is needed to complete the login in this tab.");
    const redirectURI = options.redirectURI || this.#options.redirectURI;
    const body = {};
    if (redirectURI) body.redirect_uri = redirectURI;
    if (options.link) body.link = true;
    if (options.scope) body.scope = [].concat(options.scope);
    const bearer = options.link || (options.scope && this.#tokens) ? await this.getAccessToken() : null;
    const answer = await this.#retrying(Date.now() + 15_000, () =>
      this.#call("POST", `/auth/${provider}/start`, { body, bearer, credentials: this.#attemptCredentials() }),
    );
    const data = answer.data || {};
    if (typeof data.authorize_url !== "string" || typeof data.state !== "string") {
      throw new LoginError("invalid_response", "The start answer had no authorize_url or state.", { status: answer.status });
    }
    const attempt = { provider, state: data.state, binding: this.#options.binding, link: Boolean(options.link) };
    if (this.#options.binding === "header") attempt.token = data.attempt_token;
    if (!writeJSON(session, attemptKey, attempt)) throw new LoginError("storage_unavailable", "sessionStorage refused the attempt.");
    writeJSON(session, callbackKey, null);
    if (options.navigate !== false) globalThis.location.assign(data.authorize_url);
    return { authorizeURL: data.authorize_url };
  }

  /**
   * On the callback page: reads and removes code and state from the address, posts the code once,
   * long-polls until the login ends. Resolves to {provider, isNewUser, user, linked, signedIn};
   * rejects with a LoginError. Calling it again in the same document joins the first call.
   */
  async completeLogin() {
    const params = takeRedirectParameters();
    const guard = (globalThis[guardKey] ||= new Map());
    const key = params.code ? fingerprint(params.code) : null;
    let running = key ? guard.get(key) : params.error ? undefined : guard.get("latest");
    if (!running) {
      running = this.#complete(params, key);
      if (key) guard.set(key, running);
      guard.set("latest", running);
    }
    const data = await running;
    return this.#adopt(data);
  }

  /** New tokens for the refresh token. Concurrent callers share one request. */
  refresh() {
    if (!this.#refreshing) {
      this.#refreshing = this.#refreshOnce().finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  /** Ends the session at the API and forgets the tokens (signedout, reason "logout"). */
  async logout() {
    const tokens = this.#tokens;
    if (!tokens) return;
    try {
      await this.#call("POST", "/auth/logout", { body: { refresh_token: tokens.refreshToken } });
    } catch (error) {
      if (!(error instanceof LoginError && error.status === 401)) {
        this.#end("logout");
        throw error;
      }
    }
    this.#end("logout");
  }

  /** GET /me: the user and their linked providers. */
  me() {
    return this.request("GET", "/me", { bearer: true }).then((answer) => answer.data);
  }

  /** An access token valid for at least 30 more seconds (refreshed when needed). */
  async getAccessToken() {
    if (!this.#tokens) {
      this.#tokens = readJSON(this.#tokenStore(), tokensKey);
      if (!this.#tokens) throw new LoginError("not_signed_in", "There is no session in this client.");
    }
    if (this.#tokens.expiresAt - Date.now() < 30_000) await this.refresh();
    return this.#tokens.accessToken;
  }

  /**
   * Any call to the API: JSON in and out, typed errors. bearer: true uses (and refreshes) the
   * client's access token, and a 401 that ends the session signs the client out; a string is sent as is.
   */
  async request(method, path, options = {}) {
    if (options.bearer !== true) return this.#call(method, path, options);
    const send = async () => this.#call(method, path, { ...options, bearer: await this.getAccessToken() });
    try {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof LoginError && error.code === "invalid_access_token")) throw error;
        await this.refresh();
        return await send();
      }
    } catch (error) {
      if (error instanceof LoginError && error.status === 401 && sessionEndedCodes.has(error.code)) this.#end(error.code);
      throw error;
    }
  }

  // MARK: Completing a login

  async #complete(params, fp) {
    const session = storage("sessionStorage");
    if (params.error) {
      writeJSON(session, attemptKey, null);
      const code = params.error === "access_denied" ? "access_denied" : "provider_error";
      const providerError = /^[A-Za-z0-9_.-]{1,64}$/.test(params.error) ? params.error : null;
      throw new LoginError(code, (params.description || "The provider refused the login.").slice(0, 200), { providerError });
    }
    const record = readJSON(session, callbackKey);
    if (!params.code || (record && record.fp === fp)) {
      // A reload, a second run: resume the login this tab posted; never post a code twice.
      if (record && record.loginId && (record.phase === "pending" || record.phase === "succeeded")) return this.#finish(record);
      if (record && record.phase === "posting") throw new LoginError("interrupted", "The page was reloaded before the code was accepted.");
      throw new LoginError("no_code", "There is no authorization code in the address.");
    }
    const attempt = readJSON(session, attemptKey);
    if (!attempt) throw new LoginError("no_attempt", "This tab started no login.");
    if (params.state !== attempt.state) throw new LoginError("invalid_state", "The state is not the one this tab's login sent.");
    const fresh = { fp, provider: attempt.provider, binding: attempt.binding, token: attempt.token || null, link: attempt.link, loginId: null, phase: "posting" };
    writeJSON(session, callbackKey, fresh);
    writeJSON(session, attemptKey, null);
    let answer;
    try {
      answer = await this.#retrying(Date.now() + 30_000, () =>
        this.#call("POST", `/auth/${fresh.provider}/login`, { body: { code: params.code, state: params.state }, ...this.#binding(fresh) }),
      );
    } catch (error) {
      // Refused for good: nothing to resume. Unanswered: a reload says "interrupted".
      if (!error.retryable) writeJSON(session, callbackKey, null);
      throw error;
    }
    const data = answer.data || {};
    if (typeof data.login_id !== "string") throw new LoginError("invalid_response", "The answer had no login_id.", { status: answer.status });
    Object.assign(fresh, { loginId: data.login_id, pollToken: data.poll_token || null, phase: "pending" });
    writeJSON(session, callbackKey, fresh);
    return this.#finish(fresh);
  }

  async #finish(record) {
    const session = storage("sessionStorage");
    let data;
    try {
      data = await this.#poll(record);
    } catch (error) {
      if (!(error instanceof LoginError && error.retryable)) writeJSON(session, callbackKey, null);
      throw error;
    }
    if (data.status === "failed") {
      writeJSON(session, callbackKey, null);
      const failure = data.error || {};
      throw new LoginError(failure.code || "internal_error", failure.message, {
        providerError: failure.provider_error,
        requiredScopes: failure.required_scopes,
      });
    }
    // Kept: a reload within the API's 60 seconds gets the same tokens again.
    writeJSON(session, callbackKey, { ...record, phase: "succeeded" });
    return { ...data, provider: record.provider };
  }

  /** Long-polls until succeeded or failed; network errors and 503s are retried until the budget ends. */
  async #poll(record) {
    const wait = this.#options.waitSeconds;
    const path = `/auth/${record.provider}/login/${encodeURIComponent(record.loginId)}?wait=${wait}`;
    const giveUpAt = Date.now() + this.#options.pollTimeoutMs;
    for (;;) {
      const askedAt = Date.now();
      const answer = await this.#retrying(giveUpAt, () =>
        this.#call("GET", path, { ...this.#binding(record), label: `/auth/${record.provider}/login/{login_id}`, timeoutMs: (wait + 15) * 1000 }),
      );
      const data = answer.data || {};
      if (data.status === "succeeded" || data.status === "failed") return data;
      if (data.status !== "pending") throw new LoginError("invalid_response", "Unknown login status.", { status: answer.status });
      if (Date.now() >= giveUpAt) throw new LoginError("login_expired", "The login did not finish in time.");
      const elapsed = Date.now() - askedAt;
      if (elapsed < 1000) await sleep(1000 - elapsed); // an API that did not hold the poll
    }
  }

  #adopt(data) {
    const tokens = tokensFrom(data);
    // A joined call (StrictMode, a route mounted again) must not bring back tokens rotated since.
    const first = !this.#adopted.has(data);
    this.#adopted.add(data);
    if (tokens && first) this.#keep(tokens);
    const result = {
      provider: data.provider,
      isNewUser: typeof data.is_new_user === "boolean" ? data.is_new_user : null,
      user: data.user || null,
      linked: data.linked === true,
      signedIn: tokens !== null,
    };
    if (tokens && first) this.dispatchEvent(new CustomEvent("signedin", { detail: result }));
    return result;
  }

  // MARK: Tokens

  async #refreshOnce() {
    const startedWith = this.#tokens;
    const rotate = async () => {
      const current = readJSON(this.#tokenStore(), tokensKey) || this.#tokens;
      if (!current) throw new LoginError("not_signed_in", "There is no session in this client.");
      // Another tab (shared localStorage) rotated the token meanwhile: use its result.
      if (startedWith && current.refreshToken !== startedWith.refreshToken) return this.#keep(current);
      try {
        // A replay within the API's 10-second grace window gets the same child, so retries are safe.
        const answer = await this.#retrying(Date.now() + 8_000, () =>
          this.#call("POST", "/auth/token/refresh", { body: { refresh_token: current.refreshToken } }),
        );
        const tokens = tokensFrom(answer.data);
        if (!tokens) throw new LoginError("invalid_response", "The refresh answer had no tokens.", { status: answer.status });
        this.dispatchEvent(new CustomEvent("tokens", { detail: { expiresAt: tokens.expiresAt } }));
        return this.#keep(tokens);
      } catch (error) {
        if (error instanceof LoginError && error.status === 401 && sessionEndedCodes.has(error.code)) this.#end(error.code);
        throw error;
      }
    };
    const locks = this.#options.tokenStorage === "localStorage" && globalThis.navigator && globalThis.navigator.locks;
    return locks ? locks.request(prefix + "refresh", rotate) : rotate();
  }

  #keep(tokens) {
    this.#tokens = tokens;
    const store = this.#tokenStore();
    if (store) writeJSON(store, tokensKey, tokens);
    return { ...tokens };
  }

  /** Forgets the tokens and says why: "logout", or the API's code (session_revoked, …). */
  #end(reason) {
    const hadTokens = this.#tokens !== null;
    this.#tokens = null;
    const store = this.#tokenStore();
    if (store) writeJSON(store, tokensKey, null);
    if (hadTokens) this.dispatchEvent(new CustomEvent("signedout", { detail: { reason, elsewhere: reason !== "logout" } }));
  }

  #tokenStore() {
    return storage(this.#options.tokenStorage);
  }

  // MARK: HTTP

  #attemptCredentials() {
    return this.#options.binding === "cookie" ? "include" : "omit";
  }

  /** How a read or post of a login presents its attempt: the cookie, or X-Login-Attempt. */
  #binding(record) {
    const headers = {};
    if (record.binding === "header" && record.token) headers["X-Login-Attempt"] = record.token;
    if (record.pollToken) headers["X-Poll-Token"] = record.pollToken;
    return { headers, credentials: record.binding === "cookie" ? "include" : "omit" };
  }

  /** Runs `send` again after retryable failures (backoff with jitter) until `giveUpAt`. */
  async #retrying(giveUpAt, send) {
    const retry = this.#options.retry;
    for (let failures = 0; ; failures++) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof LoginError && error.retryable) || failures + 1 >= retry.attempts) throw error;
        const delay = backoff(retry, failures, error);
        if (Date.now() + delay >= giveUpAt) throw error;
        await sleep(delay);
      }
    }
  }

  /** One request: resolves to {status, data}; rejects with a LoginError. Emits "request". */
  async #call(method, path, options = {}) {
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    const init = { method, headers, credentials: options.credentials || "omit", cache: "no-store", referrerPolicy: "no-referrer" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (options.bearer) headers.Authorization = "Bearer " + options.bearer;
    if (options.timeoutMs && typeof AbortSignal !== "undefined" && AbortSignal.timeout) init.signal = AbortSignal.timeout(options.timeoutMs);
    const report = (status, code) =>
      this.dispatchEvent(new CustomEvent("request", { detail: { method, path: options.label || path.split("?")[0], status, code } }));
    let response;
    try {
      response = await this.#options.fetch(this.#options.apiBaseURL + path, init);
    } catch (_) {
      report(0, "network_error");
      throw new LoginError("network_error", "The API could not be reached.");
    }
    let data = null;
    const text = response.status === 204 ? "" : await response.text().catch(() => "");
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const failure = data && typeof data.error === "object" && data.error ? data.error : {};
      const code = typeof failure.code === "string" ? failure.code : "http_" + response.status;
      report(response.status, code);
      throw new LoginError(code, failure.message || "HTTP " + response.status, {
        status: response.status,
        providerError: failure.provider_error,
        requiredScopes: failure.required_scopes,
        retryAfterSeconds: parseRetryAfter(response.headers.get("Retry-After")),
      });
    }
    report(response.status, data && typeof data.status === "string" ? data.status : "");
    return { status: response.status, data };
  }
}

// MARK: - One client per page, for apps that need no more

let defaultClient = null;

/** Creates the page's client (replacing an earlier one) and returns it. */
export function configure(options) {
  defaultClient = new LoginClient(options);
  return defaultClient;
}

/** The page's client (a same-origin, cookie-mode one unless `configure` made another). */
export function loginClient() {
  return (defaultClient ||= new LoginClient());
}

export const startLogin = (provider, options) => loginClient().startLogin(provider, options);
export const completeLogin = () => loginClient().completeLogin();
export const refresh = () => loginClient().refresh();
export const logout = () => loginClient().logout();
export const me = () => loginClient().me();
