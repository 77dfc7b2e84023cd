/*
 * kakao-login demo, callback page (served at /auth/{provider}/callback, the redirect_uri of Kakao
 * and of Google; the provider is read from the path).
 *
 * 1. Read code, state, error, error_description from the query and remove them from the address
 *    bar at once (history.replaceState), before any request: the code must not stay in the
 *    history, in bookmarks or in a Referer (the page also has Referrer-Policy: no-referrer).
 * 2. POST /auth/{provider}/login {code, state} exactly once, with the attempt cookie and the
 *    X-Login-Attempt header (the attempt token kept by the start page). A window-level guard keyed
 *    by the code's fingerprint makes a second run of this script in the same document (React
 *    StrictMode's double effect, a script included twice) join the first run instead of posting
 *    again; a sessionStorage record keyed the same way does so across documents of this tab.
 *    A second presentation of a code to Kakao is KOE320, the #1 cause of failed Kakao logins.
 * 3. Long-poll GET /auth/{provider}/login/{login_id}?wait=25 until succeeded or failed.
 * 4. Show the user, is_new_user and the access token's decoded claims; keep tokens in memory only.
 * 5. Refresh: POST /auth/token/refresh {refresh_token}. Logout: POST /auth/logout {refresh_token},
 *    then GET /me with the old access token to show that it is refused.
 * 6. Link another provider: POST /auth/{other}/start {"link": true} with the access token as
 *    Bearer, then the same round trip; the login ends "linked" (no new tokens) and the page shows
 *    the user's providers from GET /me.
 */
(function () {
  "use strict";

  // This script evaluated a second time in the same document (included twice, re-injected):
  // hand over to the first copy, which owns the buttons and the tokens.
  if (window.KakaoDemoCallback) {
    window.KakaoDemoCallback.handleCallback();
    return;
  }

  const demo = window.KakaoDemo;
  const keys = demo.keys;
  /** kakao or google: whose redirect this page is. */
  const provider = demo.providerOfPage();
  const providerLabels = { kakao: "Kakao", google: "Google" };
  /** The window-level guard shared by every run of this script in this document. */
  const guardName = "__kakaoLoginCallback";
  /** Long-poll wait in seconds (the API allows 0–30). */
  const waitSeconds = 25;
  /** How long the page keeps polling before it gives up (the API's job deadline is 120 s). */
  const pollBudgetMilliseconds = 180 * 1000;

  /** The app tokens of this page: memory only, never storage, never the console. */
  let tokens = null;
  /** The stateless flow's poll token (only when the API runs with LOGIN_REQUIRE_STATE=false). */
  let pollToken = null;
  let refreshCount = 0;

  /** Reads the provider's redirect parameters from the address. */
  function readParams() {
    const query = new URLSearchParams(window.location.search);
    return {
      code: query.get("code"),
      state: query.get("state"),
      error: query.get("error"),
      errorDescription: query.get("error_description"),
      hasQuery: window.location.search.length > 1,
    };
  }

  /** Replaces the current history entry with the same path without query or fragment. */
  function scrubAddressBar() {
    if (window.location.search || window.location.hash) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }

  function saveRecord(record) {
    record.updated_at = Date.now();
    demo.storageSet(keys.callback, JSON.stringify(record));
  }

  /** How the API finds the attempt: the cookie goes by itself; the header is the fallback. */
  function bindingHeaders() {
    const headers = {};
    const attemptToken = demo.storageGet(keys.attemptToken);
    if (attemptToken) headers["X-Login-Attempt"] = attemptToken;
    if (pollToken) headers["X-Poll-Token"] = pollToken;
    return headers;
  }

  function countLoginPost() {
    window.__kakaoLoginPosts = (window.__kakaoLoginPosts || 0) + 1;
    demo.setText("login-posts", String(window.__kakaoLoginPosts));
  }

  function fail(code, message, providerError) {
    demo.setStatus("failed", "로그인 실패 / Login failed");
    demo.showError(code, message, providerError);
    demo.setHidden("user", true);
    demo.setHidden("tokens", true);
  }

  function failWithError(error) {
    if (error instanceof demo.ApiError) {
      fail(error.code, error.message, error.providerError);
    } else {
      fail("internal_error", "Unexpected error in the page.", null);
    }
  }

  /** The provider sent the user back with ?error=… (access_denied when the user declined). */
  function handleProviderError(params) {
    demo.storageRemove(keys.attemptToken);
    demo.storageRemove(keys.state);
    demo.storageRemove(keys.callback);
    demo.storageRemove(keys.linkAccessToken);
    const code = /^[A-Za-z0-9_.-]{1,64}$/.test(params.error) ? params.error : "provider_error";
    const description = (params.errorDescription || "").slice(0, 200);
    fail(code, description ? providerLabels[provider] + ": " + description : null, null);
  }

  /** Posts the code once and returns the login id. */
  async function postCode(params, record) {
    demo.setStatus("posting", "인가 코드를 보내는 중… / Sending the authorization code…");
    saveRecord(record);
    countLoginPost();
    const answer = await demo.api("POST", "/auth/" + provider + "/login", {
      body: { code: params.code, state: params.state },
      headers: bindingHeaders(),
    });
    const data = answer.data || {};
    if (typeof data.login_id !== "string") {
      throw new demo.ApiError(answer.status, "invalid_response", "The answer had no login_id.", null, null);
    }
    if (typeof data.poll_token === "string") pollToken = data.poll_token;
    record.login_id = data.login_id;
    record.phase = "pending";
    saveRecord(record);
    return data.login_id;
  }

  function retryable(error) {
    return error instanceof demo.ApiError && [0, 429, 502, 503, 504].indexOf(error.status) !== -1;
  }

  /** Long-polls until the login succeeds or fails; retries network errors, 429 and 503. */
  async function pollUntilDone(loginId) {
    const path = "/auth/" + provider + "/login/" + encodeURIComponent(loginId) + "?wait=" + waitSeconds;
    const label = "/auth/" + provider + "/login/{login_id}?wait=" + waitSeconds;
    const giveUpAt = Date.now() + pollBudgetMilliseconds;
    let failures = 0;
    for (;;) {
      demo.setStatus("pending", "로그인 처리 중… / Waiting for the login to finish…");
      const askedAt = Date.now();
      let answer;
      try {
        answer = await demo.api("GET", path, { headers: bindingHeaders(), label: label });
        failures = 0;
      } catch (error) {
        if (!retryable(error) || Date.now() >= giveUpAt || failures >= 8) throw error;
        failures += 1;
        const backoff = error.retryAfterSeconds !== null && error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : Math.min(8000, 500 * Math.pow(2, failures));
        await demo.sleep(backoff);
        continue;
      }
      const data = answer.data || {};
      if (data.status === "succeeded" || data.status === "failed") return data;
      if (data.status !== "pending") {
        throw new demo.ApiError(answer.status, "invalid_response", "Unknown login status.", null, null);
      }
      if (Date.now() >= giveUpAt) {
        throw new demo.ApiError(0, "login_expired", "The login did not finish in time.", null, null);
      }
      // A server that answered "pending" at once (no long-poll) must not be hammered.
      const elapsed = Date.now() - askedAt;
      if (elapsed < 1000) await demo.sleep(1000 - elapsed);
    }
  }

  function showUser(user, isNewUser) {
    demo.setHidden("user", false);
    // A read after the tokens were delivered carries the status only: no user to show.
    const hasUser = Boolean(user && typeof user === "object");
    demo.setHidden("user-details", !hasUser);
    if (!hasUser) return;
    const u = user;
    const nickname = u.nickname || u.display_name || u.name || "";
    demo.setText("user-nickname", nickname || "(닉네임 없음 / no nickname)");
    demo.setText("user-id", typeof u.id === "string" ? u.id : "");
    demo.setText("user-kakao-id", typeof u.kakao_id === "string" ? u.kakao_id : "");
    demo.setHidden("user-kakao-id-row", typeof u.kakao_id !== "string");
    const email = typeof u.email === "string" ? u.email : "";
    demo.setText("user-email", email);
    demo.setText("user-email-verified", u.email_verified === true ? "✓ verified" : "unverified");
    demo.setHidden("user-email-row", !email);
    const imageURL = u.thumbnail_image_url || u.profile_image_url;
    const image = demo.byId("user-image");
    if (typeof imageURL === "string" && /^https?:\/\//.test(imageURL)) {
      image.src = imageURL;
      image.hidden = false;
    } else {
      image.removeAttribute("src");
      image.hidden = true;
    }
    const isNew = demo.byId("is-new-user");
    isNew.textContent = isNewUser === true ? "true" : isNewUser === false ? "false" : "";
    isNew.setAttribute("data-value", isNew.textContent);
    demo.setText("is-new-user-label", isNewUser === true ? "새로 가입했습니다 / signed up just now" : isNewUser === false ? "기존 사용자 / returning user" : "");
  }

  function showClaims() {
    const decoded = tokens ? demo.decodeJwt(tokens.accessToken) : null;
    demo.setText("claims", decoded ? JSON.stringify(decoded, null, 2) : "(JWT가 아닙니다 / not a JWT)");
    const exp = decoded && typeof decoded.payload.exp === "number" ? new Date(decoded.payload.exp * 1000) : null;
    demo.setText("token-expiry", exp ? exp.toISOString() : "");
    demo.setText("token-type", tokens ? tokens.tokenType : "");
    demo.setText("refresh-count", String(refreshCount));
  }

  /** Takes the tokens of a login or refresh answer into memory; false when there are none. */
  function keepTokens(data) {
    if (!data || typeof data.access_token !== "string" || typeof data.refresh_token !== "string") return false;
    tokens = {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      tokenType: typeof data.token_type === "string" ? data.token_type : "Bearer",
      expiresIn: typeof data.expires_in === "number" ? data.expires_in : null,
    };
    return true;
  }

  function setSessionButtons(enabled) {
    for (const id of ["me-button", "refresh-button", "logout-button"].concat(linkButtonIds())) {
      const button = demo.byId(id);
      if (button) button.disabled = !enabled;
    }
  }

  /** A link ended: the identity now belongs to the signed-in user, who keeps their session. */
  async function showLinked(data) {
    demo.hideError();
    showUser(data.user, false);
    demo.setHidden("tokens", true);
    demo.setStatus("linked", providerLabels[provider] + " 계정을 연결했습니다. / " + providerLabels[provider] + " is now linked.");
    const accessToken = demo.storageGet(keys.linkAccessToken);
    demo.storageRemove(keys.linkAccessToken);
    if (accessToken) await showProviders(accessToken);
  }

  /** GET /me: the providers linked to the user, shown in #linked-providers. */
  async function showProviders(accessToken) {
    try {
      const answer = await demo.api("GET", "/me", { bearer: accessToken });
      const providers = answer.data && Array.isArray(answer.data.providers) ? answer.data.providers : [];
      demo.setText("linked-providers", providers.join(","));
      demo.setHidden("providers-line", false);
      return providers;
    } catch (_) {
      return [];
    }
  }

  function linkButtonIds() {
    return ["link-kakao-button", "link-google-button"];
  }

  /** Offers a link button for each provider the API serves that the user has not linked. */
  async function offerLinks() {
    if (!tokens) return;
    const served = await demo.providers();
    const linked = await showProviders(tokens.accessToken);
    let offered = false;
    for (const name of ["kakao", "google"]) {
      const show = served.indexOf(name) !== -1 && linked.indexOf(name) === -1;
      demo.setHidden("link-" + name + "-button", !show);
      offered = offered || show;
    }
    demo.setHidden("link", !offered);
  }

  /** Starts a link of `other` to the signed-in user and goes to its consent page. */
  async function startLink(other) {
    if (!tokens) return;
    setSessionButtons(false);
    try {
      const answer = await demo.api("POST", "/auth/" + other + "/start", { body: { link: true }, bearer: tokens.accessToken });
      const data = answer.data || {};
      if (typeof data.authorize_url !== "string" || typeof data.state !== "string") {
        throw new demo.ApiError(answer.status, "invalid_response", "The start answer had no authorize_url or state.", null, null);
      }
      if (typeof data.attempt_token === "string") demo.storageSet(keys.attemptToken, data.attempt_token);
      demo.storageSet(keys.state, data.state);
      demo.storageRemove(keys.callback);
      demo.storageSet(keys.linkAccessToken, tokens.accessToken);
      window.location.assign(data.authorize_url);
    } catch (error) {
      demo.showError(error.code || "internal_error", error.message, error.providerError);
      setSessionButtons(true);
    }
  }

  function showSucceeded(data) {
    demo.hideError();
    if (data.linked === true) return showLinked(data);
    showUser(data.user, data.is_new_user);
    if (keepTokens(data)) {
      showClaims();
      demo.setText("session-status", "active");
      setSessionButtons(true);
      demo.setHidden("tokens", false);
      demo.setHidden("tokens-delivered-line", true);
      demo.setStatus("succeeded", "로그인했습니다. / Logged in.");
      offerLinks();
    } else {
      // Tokens go to the first read (and re-reads within 60 s); later reads get the status only.
      demo.setHidden("tokens", true);
      demo.setHidden("tokens-delivered-line", false);
      demo.setStatus("succeeded", "로그인은 끝났지만 토큰은 이미 전달되었습니다. / Logged in earlier; the tokens were already delivered.");
    }
  }

  async function finish(loginId, record) {
    const data = await pollUntilDone(loginId);
    record.phase = data.status;
    saveRecord(record);
    if (data.status === "succeeded") {
      demo.storageRemove(keys.state);
      await showSucceeded(data);
    } else {
      demo.storageRemove(keys.attemptToken);
      demo.storageRemove(keys.state);
      demo.storageRemove(keys.linkAccessToken);
      const error = data.error && typeof data.error === "object" ? data.error : {};
      fail(typeof error.code === "string" ? error.code : "internal_error", error.message, error.provider_error);
    }
  }

  /** The whole callback for one set of parameters read from the address. */
  async function run(params, fingerprint) {
    try {
      if (params.error) {
        handleProviderError(params);
        return;
      }
      const record = demo.storageGetJSON(keys.callback);
      if (!params.code) {
        // A reload after the address was cleaned: resume the login this tab was waiting for.
        if (record && typeof record.login_id === "string" && (record.phase === "pending" || record.phase === "succeeded")) {
          await finish(record.login_id, record);
        } else if (record && record.phase === "posting") {
          fail("interrupted", null, null);
        } else {
          fail("no_code", null, null);
        }
        return;
      }
      if (record && record.fp === fingerprint) {
        // This code was handled by an earlier document of this tab: never post it again.
        if (typeof record.login_id === "string") {
          await finish(record.login_id, record);
        } else {
          fail("interrupted", null, null);
        }
        return;
      }
      const expectedState = demo.storageGet(keys.state);
      if (expectedState === null) {
        // This tab started no login (a link someone sent, another tab's redirect): never post a
        // code this tab did not ask for.
        fail("no_attempt", null, null);
        return;
      }
      if (params.state !== expectedState) {
        // Not the login this tab started (CSRF or a stale tab): do not post the code.
        fail("invalid_state", null, null);
        return;
      }
      const fresh = { fp: fingerprint, login_id: null, phase: "posting" };
      const loginId = await postCode(params, fresh);
      await finish(loginId, fresh);
    } catch (error) {
      failWithError(error);
    }
  }

  /**
   * Entry point; safe to call any number of times. The first call for a code scrubs the address
   * and starts the flow; later calls (same code, or an address already scrubbed) return the same
   * promise. Everything up to the guard assignment is synchronous.
   */
  function handleCallback() {
    const existing = window[guardName];
    const params = readParams();
    const fingerprint = params.code ? demo.fingerprint(params.code) : null;
    if (existing && (fingerprint === null || existing.fp === fingerprint) && !params.error) {
      scrubAddressBar();
      return existing.promise;
    }
    scrubAddressBar();
    const flow = { fp: fingerprint, promise: null };
    window[guardName] = flow;
    flow.promise = run(params, fingerprint);
    return flow.promise;
  }

  async function callMe(accessToken) {
    demo.setHidden("me-line", false);
    demo.setText("me-status", "…");
    demo.setText("me-error-code", "");
    demo.setText("me-nickname", "");
    try {
      const answer = await demo.api("GET", "/me", { bearer: accessToken });
      const user = answer.data || {};
      demo.setText("me-status", String(answer.status));
      demo.setText("me-nickname", user.nickname || user.display_name || "");
    } catch (error) {
      demo.setText("me-status", error instanceof demo.ApiError ? String(error.status) : "error");
      demo.setText("me-error-code", error instanceof demo.ApiError ? error.code : "internal_error");
    }
  }

  async function onMe() {
    if (!tokens) return;
    setSessionButtons(false);
    await callMe(tokens.accessToken);
    setSessionButtons(tokens !== null);
  }

  async function onRefresh() {
    if (!tokens) return;
    setSessionButtons(false);
    demo.setText("session-status", "refreshing");
    try {
      const answer = await demo.api("POST", "/auth/token/refresh", { body: { refresh_token: tokens.refreshToken } });
      if (!keepTokens(answer.data)) {
        throw new demo.ApiError(answer.status, "invalid_response", "The refresh answer had no tokens.", null, null);
      }
      refreshCount += 1;
      showClaims();
      demo.setText("session-status", "refreshed");
      demo.hideError();
    } catch (error) {
      demo.setText("session-status", "refresh-failed");
      demo.showError(error.code || "internal_error", error.message, error.providerError);
    }
    setSessionButtons(tokens !== null);
  }

  async function onLogout() {
    if (!tokens) return;
    setSessionButtons(false);
    demo.setText("session-status", "logging-out");
    const oldAccessToken = tokens.accessToken;
    try {
      await demo.api("POST", "/auth/logout", { body: { refresh_token: tokens.refreshToken } });
    } catch (error) {
      demo.setText("session-status", "logout-failed");
      demo.showError(error.code || "internal_error", error.message, error.providerError);
      setSessionButtons(true);
      return;
    }
    tokens = null;
    demo.storageRemove(keys.attemptToken);
    demo.storageRemove(keys.callback);
    demo.setText("session-status", "logged-out");
    // The old access token is still within its 15 minutes, yet /me must refuse it now.
    await callMe(oldAccessToken);
  }

  function main() {
    demo.attachRequestLog();
    demo.byId("me-button").addEventListener("click", onMe);
    demo.byId("refresh-button").addEventListener("click", onRefresh);
    demo.byId("logout-button").addEventListener("click", onLogout);
    demo.byId("link-kakao-button").addEventListener("click", function () {
      startLink("kakao");
    });
    demo.byId("link-google-button").addEventListener("click", function () {
      startLink("google");
    });
    handleCallback();
  }

  // Deferred scripts run once the document is parsed, before DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", main);
  } else {
    main();
  }

  window.KakaoDemoCallback = Object.freeze({ handleCallback: handleCallback });
})();
