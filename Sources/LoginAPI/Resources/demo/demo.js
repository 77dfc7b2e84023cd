/*
 * kakao-login demo: helpers shared by the start page (index.js) and the callback page
 * (callback.js). Plain JavaScript, no build step, no external resources.
 *
 * Rules this file keeps for both pages:
 * - It only talks to our API (same origin, relative paths), never to Kakao or Google: the same
 *   page works against the emulators and against the real providers.
 * - Codes and tokens are never written to the console, to localStorage or into the page's
 *   request log; tokens live in memory only (see callback.js), except the access token a link
 *   carries across the provider's pages (keys.linkAccessToken).
 */
(function () {
  "use strict";

  const storagePrefix = "kakao_login.";

  /** The sessionStorage keys both pages share (per tab, gone when the tab closes). */
  const keys = Object.freeze({
    /** The attempt token of the last POST /auth/{provider}/start: the fallback to the cookie. */
    attemptToken: storagePrefix + "attempt_token",
    /** The state of the last start, compared with the state the provider sends back. */
    state: storagePrefix + "state",
    /** The callback page's guard: {fp, login_id, phase, updated_at}; fp is a hash of the code. */
    callback: storagePrefix + "callback",
    /**
     * During a link only: the signed-in user's access token (never the refresh token), so the
     * callback page can show the linked providers after the round trip through the provider's
     * pages. Short-lived (15 minutes), removed as soon as the link ends.
     */
    linkAccessToken: storagePrefix + "link_access_token",
  });

  /** The providers a path or a button may name. */
  const knownProviders = Object.freeze(["kakao", "google"]);

  /** The callback page's path of a provider: its redirect URI's path. */
  function callbackPath(provider) {
    return "/auth/" + provider + "/callback";
  }

  /** The provider whose callback this page is, from /auth/{provider}/callback; "kakao" otherwise. */
  function providerOfPage() {
    const match = /^\/auth\/([a-z]+)\/callback$/.exec(window.location.pathname);
    return match && knownProviders.indexOf(match[1]) !== -1 ? match[1] : "kakao";
  }

  /** GET /auth/providers: the providers this API serves (["kakao"] when it cannot say). */
  async function providers() {
    try {
      const answer = await api("GET", "/auth/providers");
      const list = answer.data && Array.isArray(answer.data.providers) ? answer.data.providers : [];
      return list.filter(function (name) {
        return knownProviders.indexOf(name) !== -1;
      });
    } catch (_) {
      return ["kakao"];
    }
  }

  /** Reads a sessionStorage value; null when storage is unavailable (private mode, policy). */
  function storageGet(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (_) {
      return null;
    }
  }

  /** Writes a sessionStorage value; false when storage is unavailable. */
  function storageSet(key, value) {
    try {
      window.sessionStorage.setItem(key, value);
      return true;
    } catch (_) {
      return false;
    }
  }

  function storageRemove(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch (_) {
      /* storage unavailable: nothing to remove */
    }
  }

  function storageGetJSON(key) {
    const text = storageGet(key);
    if (text === null) return null;
    try {
      return JSON.parse(text);
    } catch (_) {
      return null;
    }
  }

  /** An API answer that was not 2xx, or a request that never got an answer (status 0). */
  class ApiError extends Error {
    constructor(status, code, message, providerError, retryAfterSeconds) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.code = code;
      this.providerError = providerError || null;
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  function parseRetryAfter(value) {
    if (!value) return null;
    const seconds = Number.parseInt(value, 10);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(0, Math.round((date - Date.now()) / 1000));
    return null;
  }

  /** Listeners told about every request (method, path for display, status): the request log. */
  const requestListeners = [];

  function onRequest(listener) {
    requestListeners.push(listener);
  }

  function reportRequest(entry) {
    for (const listener of requestListeners) {
      try {
        listener(entry);
      } catch (_) {
        /* a broken listener must not break the login */
      }
    }
  }

  /**
   * Calls our API. JSON in and out, cookies included, never cached.
   * options: body (sent as JSON), headers, bearer (an access token), label (the path as shown in
   * the request log, so that ids need not appear there).
   * Resolves to {status, data, retryAfterSeconds}; rejects with ApiError.
   */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    const init = {
      method: method,
      headers: headers,
      credentials: "include",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    if (opts.bearer) headers.Authorization = "Bearer " + opts.bearer;
    const label = method + " " + (opts.label || path);

    let response;
    try {
      response = await fetch(path, init);
    } catch (_) {
      reportRequest({ label: label, status: 0, code: "network_error" });
      throw new ApiError(0, "network_error", "The API could not be reached.", null, null);
    }
    const retryAfterSeconds = parseRetryAfter(response.headers.get("Retry-After"));
    let data = null;
    if (response.status !== 204) {
      const text = await response.text().catch(function () {
        return "";
      });
      if (text) {
        try {
          data = JSON.parse(text);
        } catch (_) {
          data = null;
        }
      }
    }
    if (!response.ok) {
      const envelope = data && typeof data === "object" && data.error && typeof data.error === "object" ? data.error : null;
      const code = envelope && typeof envelope.code === "string" ? envelope.code : "http_" + response.status;
      const message = envelope && typeof envelope.message === "string" ? envelope.message : "HTTP " + response.status;
      const providerError = envelope && typeof envelope.provider_error === "string" ? envelope.provider_error : null;
      reportRequest({ label: label, status: response.status, code: code });
      throw new ApiError(response.status, code, message, providerError, retryAfterSeconds);
    }
    const note = data && typeof data === "object" && typeof data.status === "string" ? data.status : "";
    reportRequest({ label: label, status: response.status, code: note });
    return { status: response.status, data: data, retryAfterSeconds: retryAfterSeconds };
  }

  /** Decodes one base64url segment of a JWT to a JavaScript value (UTF-8 JSON). */
  function decodeSegment(segment) {
    let base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4 !== 0) base64 += "=";
    const binary = window.atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return JSON.parse(new TextDecoder("utf-8").decode(bytes));
  }

  /**
   * The header and payload of a JWT, decoded but NOT verified (the API verifies tokens; the page
   * only shows them). Null when the token is not a JWT.
   */
  function decodeJwt(token) {
    if (typeof token !== "string") return null;
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    try {
      return { header: decodeSegment(parts[0]), payload: decodeSegment(parts[1]) };
    } catch (_) {
      return null;
    }
  }

  /**
   * A short, non-reversible fingerprint of a string (two 32-bit FNV-1a variants), used to key the
   * callback guard by the code without storing the code itself.
   */
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
    interrupted: ["응답을 받기 전에 페이지가 다시 열렸습니다. 다시 로그인해 주세요.", "The page was reopened before the answer arrived. Start the login again."],
  });

  /** A "한국어 / English" message for a code, falling back to the server's message. */
  function describe(code, fallback) {
    const pair = messages[code];
    if (pair) return pair[0] + " / " + pair[1];
    return fallback || "오류가 발생했습니다. / Something went wrong.";
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function setText(id, text) {
    const element = byId(id);
    if (element) element.textContent = text;
  }

  function setHidden(id, hidden) {
    const element = byId(id);
    if (element) element.hidden = hidden;
  }

  /** Sets #status to a machine-readable state and #status-label to a human sentence. */
  function setStatus(state, label) {
    const element = byId("status");
    if (element) {
      element.textContent = state;
      element.setAttribute("data-status", state);
    }
    setText("status-label", label || "");
  }

  /** Shows the #error section with a code, a bilingual message and Kakao's error code if any. */
  function showError(code, fallbackMessage, providerError) {
    setText("error-code", code);
    setText("error-message", describe(code, fallbackMessage));
    setText("error-provider", providerError || "");
    setHidden("error-provider-line", !providerError);
    setHidden("error", false);
  }

  function hideError() {
    setHidden("error", true);
    setText("error-code", "");
    setText("error-message", "");
  }

  /** Appends every API request of this page to #request-log (method, path, status; no bodies). */
  function attachRequestLog() {
    const list = byId("request-log");
    if (!list) return;
    onRequest(function (entry) {
      const item = document.createElement("li");
      const status = entry.status === 0 ? "—" : String(entry.status);
      item.textContent = entry.label + " → " + status + (entry.code ? " " + entry.code : "");
      list.appendChild(item);
    });
  }

  /** Adds a line to #request-log that is not an API call (e.g. the navigation to Kakao). */
  function logNote(text) {
    const list = byId("request-log");
    if (!list) return;
    const item = document.createElement("li");
    item.className = "note";
    item.textContent = text;
    list.appendChild(item);
  }

  function sleep(milliseconds) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, milliseconds);
    });
  }

  window.KakaoDemo = Object.freeze({
    keys: keys,
    callbackPath: callbackPath,
    providerOfPage: providerOfPage,
    providers: providers,
    storageGet: storageGet,
    storageSet: storageSet,
    storageRemove: storageRemove,
    storageGetJSON: storageGetJSON,
    ApiError: ApiError,
    api: api,
    decodeJwt: decodeJwt,
    fingerprint: fingerprint,
    describe: describe,
    byId: byId,
    setText: setText,
    setHidden: setHidden,
    setStatus: setStatus,
    showError: showError,
    hideError: hideError,
    attachRequestLog: attachRequestLog,
    logNote: logNote,
    sleep: sleep,
  });
})();
