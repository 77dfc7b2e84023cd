// Types of the kakao-login browser client (/sdk/kakao-login.js). No dependencies.

/** The API's stable error codes (openapi.yaml, `ErrorCode`): a failed login's reason or an HTTP error. */
export type ApiErrorCode =
  | "authorization_code_invalid"
  | "exchange_interrupted"
  | "redirect_uri_mismatch"
  | "kakao_client_misconfigured"
  | "consent_required"
  | "kakao_account_restricted"
  | "id_token_invalid"
  | "token_not_for_this_app"
  | "kakao_token_invalid"
  | "kakao_rate_limited"
  | "kakao_unavailable"
  | "google_client_misconfigured"
  | "google_account_restricted"
  | "google_rate_limited"
  | "google_unavailable"
  | "login_expired"
  | "identity_already_linked"
  | "provider_already_linked"
  | "provider_unlinked"
  | "canceled"
  | "internal_error"
  | "invalid_request"
  | "unsupported_media_type"
  | "payload_too_large"
  | "method_not_allowed"
  | "invalid_code"
  | "invalid_provider_token"
  | "invalid_state"
  | "attempt_not_found"
  | "state_required"
  | "attempt_expired"
  | "attempt_already_used"
  | "too_many_pending_attempts"
  | "origin_not_allowed"
  | "redirect_uri_not_allowed"
  | "code_already_submitted"
  | "not_found"
  | "invalid_refresh_token"
  | "invalid_access_token"
  | "session_revoked"
  | "session_expired"
  | "invalid_callback_key"
  | "refresh_token_reused"
  | "last_identity"
  | "rate_limited"
  | "queue_full"
  | "provider_unavailable"
  | "database_unavailable";

/** Codes of this client itself (status 0), and the provider's refusal on the callback page. */
export type ClientErrorCode =
  | "network_error" // no answer (offline, CORS refused, timed out); retried before it is thrown
  | "invalid_response" // an answer not in the documented form
  | "access_denied" // the user declined on the provider's page (?error=access_denied)
  | "provider_error" // another ?error= from the provider; its value is in providerError
  | "no_attempt" // this tab started no login: the code is not posted
  | "no_code" // the callback page has no code and this tab is waiting for no login
  | "interrupted" // the page was reloaded before the code was accepted
  | "not_signed_in" // refresh, me or getAccessToken without a session
  | "storage_unavailable"; // sessionStorage is blocked

/** `http_<status>` for an answer without the API's error envelope (a proxy's page). */
export type LoginErrorCode = ApiErrorCode | ClientErrorCode | `http_${number}`;

export class LoginError extends Error {
  constructor(
    code: LoginErrorCode,
    message?: string,
    details?: { status?: number; providerError?: string | null; requiredScopes?: string[] | null; retryAfterSeconds?: number | null },
  );
  readonly name: "LoginError";
  readonly code: LoginErrorCode;
  /** The HTTP status; 0 when there was no answer or the client refused itself. */
  readonly status: number;
  /** The provider's own error code (Kakao's `KOE320`, Google's `invalid_grant`, …). */
  readonly providerError: string | null;
  /** With `consent_required`: the consent items to ask for (`startLogin(provider, { scope })`). */
  readonly requiredScopes: string[] | null;
  readonly retryAfterSeconds: number | null;
  /** Network errors, 408, 429, 502, 503, 504. */
  readonly retryable: boolean;
}

export type Provider = "kakao" | "google";

export interface User {
  id: string;
  display_name: string | null;
  profile_image_url: string | null;
  email: string | null;
  email_verified: boolean;
  created_at: string;
}

export interface Me extends User {
  providers: Provider[];
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface LoginResult {
  provider: Provider;
  /** null when the tokens were delivered before (a reload after the API's 60-second window). */
  isNewUser: boolean | null;
  user: User | null;
  /** A link ended: the identity now belongs to the signed-in user; no new tokens. */
  linked: boolean;
  /** Whether this call brought tokens (the client now holds them). */
  signedIn: boolean;
}

export interface LoginClientOptions {
  /** The API's origin, e.g. "https://api.example.com"; default "" (this page's origin). */
  apiBaseURL?: string;
  /**
   * "cookie" (default): the HttpOnly attempt cookie binds the login (`credentials: "include"`;
   * the API must list this origin in CORS_ALLOWED_ORIGINS, and be on the same site or have
   * third-party cookies allowed). "header": the attempt_token is kept in sessionStorage and sent
   * as X-Login-Attempt; no cookie at all (for an API on another site, where browsers block
   * third-party cookies).
   */
  binding?: "cookie" | "header";
  /** Where tokens live: "memory" (default), "sessionStorage" or "localStorage" (see README). */
  tokenStorage?: "memory" | "sessionStorage" | "localStorage";
  /** The redirect_uri to ask for; default the API's first for the provider. */
  redirectURI?: string;
  /** Long-poll wait in seconds, 0–30 (default 25). */
  waitSeconds?: number;
  /** How long completeLogin polls before it gives up with login_expired (default 180000). */
  pollTimeoutMs?: number;
  /** Retries of network errors, 408, 429, 502, 503, 504 (exponential backoff with jitter). */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  fetch?: typeof fetch;
}

export interface StartOptions {
  /** Link the provider to the signed-in user instead of signing in. */
  link?: boolean;
  /** More consent items (Kakao), e.g. the requiredScopes of consent_required. */
  scope?: string[];
  redirectURI?: string;
  /** false: return the authorize URL instead of going there. */
  navigate?: boolean;
}

export interface SignedOutDetail {
  /** "logout" (this client), or why the API ended the session. */
  reason: "logout" | "session_revoked" | "session_expired" | "invalid_refresh_token" | "refresh_token_reused";
  /** True when the session ended elsewhere (another device, "log out everywhere", an operator). */
  elsewhere: boolean;
}

export interface RequestDetail {
  method: string;
  /** The path without query; a login id shows as {login_id}. */
  path: string;
  /** 0 when there was no answer. */
  status: number;
  code: string;
}

export interface LoginClientEventMap {
  signedin: CustomEvent<LoginResult>;
  signedout: CustomEvent<SignedOutDetail>;
  tokens: CustomEvent<{ expiresAt: number }>;
  request: CustomEvent<RequestDetail>;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** true: the client's access token (refreshed when needed); a string: that token. */
  bearer?: true | string;
  credentials?: RequestCredentials;
}

export class LoginClient extends EventTarget {
  constructor(options?: LoginClientOptions);
  readonly binding: "cookie" | "header";
  readonly signedIn: boolean;
  readonly session: Session | null;
  startLogin(provider: Provider, options?: StartOptions): Promise<{ authorizeURL: string }>;
  completeLogin(): Promise<LoginResult>;
  refresh(): Promise<Session>;
  logout(): Promise<void>;
  me(): Promise<Me>;
  getAccessToken(): Promise<string>;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<{ status: number; data: T }>;
  addEventListener<K extends keyof LoginClientEventMap>(
    type: K,
    listener: (event: LoginClientEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof LoginClientEventMap>(
    type: K,
    listener: (event: LoginClientEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export function configure(options?: LoginClientOptions): LoginClient;
export function loginClient(): LoginClient;
export function startLogin(provider: Provider, options?: StartOptions): Promise<{ authorizeURL: string }>;
export function completeLogin(): Promise<LoginResult>;
export function refresh(): Promise<Session>;
export function logout(): Promise<void>;
export function me(): Promise<Me>;
