/*
 * kakao-login demo: what the start page (index.js) and the callback page (callback.js) share.
 * The login itself is the browser client's (/sdk/kakao-login.js, the module any app can use);
 * this file only shows it: messages, the request log, the status line. Plain ES modules, no
 * build step, no external resources; codes and tokens never reach the console or the log.
 */
import { configure } from "/sdk/kakao-login.js";

/** The page's client: this origin's API, the attempt cookie, tokens in memory. */
export const client = configure({});

/** The providers a button may name. */
export const knownProviders = Object.freeze(["kakao", "google"]);

/** GET /auth/providers: the providers this API serves (["kakao"] when it cannot say). */
export async function providers() {
  try {
    const answer = await client.request("GET", "/auth/providers");
    const list = answer.data && Array.isArray(answer.data.providers) ? answer.data.providers : [];
    return list.filter((name) => knownProviders.includes(name));
  } catch (_) {
    return ["kakao"];
  }
}

/** Korean and English messages for the codes a frontend branches on (DESIGN.md). */
const messages = Object.freeze({
  access_denied: ["동의 화면에서 취소하셨습니다.", "You declined the consent screen."],
  authorization_code_invalid: ["인가 코드가 만료되었거나 이미 사용되었습니다. 다시 로그인해 주세요.", "The authorization code expired or was already used. Start the login again."],
  exchange_interrupted: ["코드 교환이 중단되었습니다. 다시 로그인해 주세요.", "The code exchange was interrupted. Start the login again."],
  redirect_uri_mismatch: ["Redirect URI가 로그인 제공자에 등록된 값과 다릅니다 (설정 오류).", "The redirect URI does not match the provider's settings (configuration)."],
  kakao_client_misconfigured: ["카카오 앱 설정에 문제가 있습니다.", "The Kakao app is misconfigured."],
  consent_required: ["필수 동의 항목이 빠졌습니다.", "A required consent item is missing."],
  kakao_account_restricted: ["이 카카오 계정으로는 로그인할 수 없습니다.", "This Kakao account cannot log in to this app."],
  id_token_invalid: ["ID 토큰을 검증할 수 없습니다. 다시 로그인해 주세요.", "The ID token could not be verified. Start the login again."],
  token_not_for_this_app: ["이 카카오 토큰은 다른 앱에 발급된 것입니다.", "The Kakao token was issued to another app."],
  kakao_token_invalid: ["카카오 토큰이 유효하지 않거나 만료되었습니다. 카카오로 다시 로그인해 주세요.", "The Kakao token is invalid, expired or revoked. Log in with Kakao again."],
  kakao_rate_limited: ["카카오 요청 한도를 넘었습니다. 잠시 후 다시 시도해 주세요.", "Kakao is rate limiting logins. Try again later."],
  kakao_unavailable: ["카카오에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.", "Kakao is unavailable. Try again later."],
  google_client_misconfigured: ["Google 클라이언트 설정에 문제가 있습니다.", "The Google client is misconfigured."],
  google_account_restricted: ["이 Google 계정으로는 로그인할 수 없습니다.", "This Google account cannot sign in to this app."],
  google_rate_limited: ["Google 요청 한도를 넘었습니다. 잠시 후 다시 시도해 주세요.", "Google is rate limiting sign-ins. Try again later."],
  google_unavailable: ["Google에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.", "Google is unavailable. Try again later."],
  login_expired: ["로그인이 제시간에 끝나지 않았습니다. 다시 로그인해 주세요.", "The login did not finish in time. Start the login again."],
  identity_already_linked: ["이 계정은 이미 다른 사용자에게 연결되어 있습니다.", "This account is already linked to another user."],
  provider_already_linked: ["이 제공자의 다른 계정이 이미 연결되어 있습니다. 먼저 연결을 해제해 주세요.", "Another account of this provider is already linked; unlink it first."],
  provider_unlinked: ["로그인 중에 이 앱과의 연결이 끊겼습니다. 다시 로그인해 주세요.", "The account was disconnected from this app during the login. Start the login again."],
  last_identity: ["마지막으로 연결된 로그인 수단은 해제할 수 없습니다.", "The only linked provider cannot be unlinked."],
  provider_unavailable: ["로그인 제공자에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.", "The login provider cannot be reached. Try again later."],
  canceled: ["운영자가 로그인을 취소했습니다.", "An operator canceled the login."],
  internal_error: ["서버 오류입니다. 잠시 후 다시 시도해 주세요.", "Server error. Try again later."],
  invalid_request: ["잘못된 요청입니다.", "The request was not valid."],
  invalid_code: ["인가 코드 형식이 잘못되었습니다.", "The authorization code is malformed."],
  invalid_provider_token: ["카카오 토큰의 형식이 올바르지 않습니다.", "The Kakao token, id_token or nonce is malformed."],
  invalid_state: ["state 값이 이 로그인 시도와 맞지 않습니다. 다시 로그인해 주세요.", "The state does not match this login attempt. Start the login again."],
  attempt_not_found: ["로그인 시도를 찾을 수 없습니다 (만료되었거나 다른 브라우저). 다시 로그인해 주세요.", "The login attempt was not found (expired, or another browser). Start the login again."],
  state_required: ["state 값이 필요합니다. 로그인을 처음부터 시작해 주세요.", "A state is required. Start the login from the beginning."],
  attempt_expired: ["로그인 시도가 만료되었습니다. 다시 로그인해 주세요.", "The login attempt expired. Start the login again."],
  attempt_already_used: ["이 로그인 시도는 이미 다른 코드에 쓰였습니다. 다시 로그인해 주세요.", "The login attempt was already used for another code. Start the login again."],
  too_many_pending_attempts: ["끝나지 않은 로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.", "Too many unfinished login attempts. Try again later."],
  redirect_uri_not_allowed: ["허용되지 않은 Redirect URI입니다.", "The redirect URI is not allowed."],
  code_already_submitted: ["이 코드는 다른 로그인 시도에서 이미 제출되었습니다.", "This code was already submitted by another login attempt."],
  not_found: ["로그인을 찾을 수 없습니다.", "The login was not found."],
  invalid_refresh_token: ["리프레시 토큰이 유효하지 않습니다.", "The refresh token is not valid."],
  invalid_access_token: ["액세스 토큰이 유효하지 않습니다.", "The access token is not valid."],
  session_revoked: ["로그아웃된 세션입니다.", "The session was logged out."],
  session_expired: ["세션이 만료되었습니다. 다시 로그인해 주세요.", "The session expired. Log in again."],
  invalid_callback_key: ["카카오 콜백의 인증 키가 올바르지 않습니다.", "The callback's key is not this app's admin key."],
  refresh_token_reused: ["이미 사용된 리프레시 토큰입니다. 보안을 위해 세션을 끝냈습니다. 다시 로그인해 주세요.", "The refresh token was already used; the session was ended. Log in again."],
  origin_not_allowed: ["허용되지 않은 출처(Origin)의 요청입니다.", "Requests from this origin are not allowed."],
  rate_limited: ["요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.", "Too many requests. Try again later."],
  queue_full: ["로그인 요청이 밀려 있습니다. 잠시 후 다시 시도해 주세요.", "Too many logins are waiting. Try again later."],
  database_unavailable: ["데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.", "The database is unavailable. Try again later."],
  unsupported_media_type: ["JSON 요청만 받습니다.", "Only JSON requests are accepted."],
  method_not_allowed: ["이 주소는 그 메서드를 받지 않습니다.", "This path does not accept that method."],
  payload_too_large: ["요청이 너무 큽니다.", "The request is too large."],
  network_error: ["API 서버에 연결할 수 없습니다.", "The API could not be reached."],
  no_attempt: ["이 탭에서 시작한 로그인이 없습니다. 로그인을 처음부터 시작해 주세요.", "This tab started no login. Start the login from the beginning."],
  no_code: ["주소에 인가 코드가 없습니다. 로그인을 처음부터 시작해 주세요.", "There is no authorization code in the address. Start the login from the beginning."],
  redirect_origin_mismatch: ["카카오가 이 페이지와 다른 주소로 돌아옵니다. 아래 주소에서 데모를 열어 주세요.", "Kakao would return to another address than this page's. Open the demo at the address below."],
  invalid_response: ["API 응답 형식이 예상과 다릅니다.", "The API's answer was not in the expected form."],
  provider_error: ["로그인 제공자가 로그인을 거절했습니다.", "The login provider refused the login."],
  not_signed_in: ["로그인되어 있지 않습니다.", "There is no session."],
  storage_unavailable: ["이 브라우저에서 sessionStorage를 쓸 수 없습니다.", "sessionStorage is not available in this browser."],
  interrupted: ["응답을 받기 전에 페이지가 다시 열렸습니다. 다시 로그인해 주세요.", "The page was reopened before the answer arrived. Start the login again."],
});

/** A "한국어 / English" message for a code, falling back to the server's message. */
export function describe(code, fallback) {
  const pair = messages[code];
  if (pair) return pair[0] + " / " + pair[1];
  return fallback || "오류가 발생했습니다. / Something went wrong.";
}

export function byId(id) {
  return document.getElementById(id);
}

export function setText(id, text) {
  const element = byId(id);
  if (element) element.textContent = text;
}

export function setHidden(id, hidden) {
  const element = byId(id);
  if (element) element.hidden = hidden;
}

/** Sets #status to a machine-readable state and #status-label to a human sentence. */
export function setStatus(state, label) {
  const element = byId("status");
  if (element) {
    element.textContent = state;
    element.setAttribute("data-status", state);
  }
  setText("status-label", label || "");
}

/** Shows the #error section: the code, a bilingual message and the provider's error if any. */
export function showError(error) {
  const code = error && typeof error.code === "string" ? error.code : "internal_error";
  setText("error-code", code);
  setText("error-message", describe(code, error && error.message));
  setText("error-provider", (error && error.providerError) || "");
  setHidden("error-provider-line", !(error && error.providerError));
  setHidden("error", false);
}

export function hideError() {
  setHidden("error", true);
  setText("error-code", "");
  setText("error-message", "");
}

/** Appends every API request of the client to #request-log (method, path, status; no bodies). */
export function attachRequestLog() {
  const list = byId("request-log");
  if (!list) return;
  client.addEventListener("request", (event) => {
    const entry = event.detail;
    const item = document.createElement("li");
    item.textContent = entry.method + " " + entry.path + " → " + (entry.status === 0 ? "—" : entry.status) + (entry.code ? " " + entry.code : "");
    list.appendChild(item);
  });
}

/** Adds a line to #request-log that is not an API call (e.g. the navigation to Kakao). */
export function logNote(text) {
  const list = byId("request-log");
  if (!list) return;
  const item = document.createElement("li");
  item.className = "note";
  item.textContent = text;
  list.appendChild(item);
}

/** The header and payload of a JWT, decoded but NOT verified (the API verifies; the page shows). */
export function decodeJwt(token) {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) return null;
  try {
    const decode = (segment) => {
      const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(segment.length / 4) * 4, "="));
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    };
    return { header: decode(parts[0]), payload: decode(parts[1]) };
  } catch (_) {
    return null;
  }
}
