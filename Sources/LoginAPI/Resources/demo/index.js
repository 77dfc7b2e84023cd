/*
 * kakao-login demo, start page: the "카카오 로그인" and "Google로 로그인" buttons (the latter only
 * when GET /auth/providers lists google).
 *
 * 1. POST /auth/{provider}/start with {} (cookies included). The API answers
 *    {authorize_url, state, attempt_token} and sets the HttpOnly attempt cookie.
 * 2. Keep attempt_token and state in sessionStorage (the cookie is the primary binding; the
 *    token is the fallback sent as X-Login-Attempt by the callback page).
 * 3. Navigate to authorize_url (the provider's consent page, or an emulator's); it sends the
 *    browser back to /auth/{provider}/callback.
 */
(function () {
  "use strict";

  const demo = window.KakaoDemo;
  const buttons = { kakao: "login-button", google: "google-login-button" };
  const providerNames = { kakao: "카카오 / Kakao", google: "Google" };
  let starting = false;

  /** An absolute http(s) URL, or null. */
  function parseHttpURL(text) {
    try {
      const url = new URL(text);
      return url.protocol === "https:" || url.protocol === "http:" ? url : null;
    } catch (_) {
      return null;
    }
  }

  /**
   * When Kakao would send the browser back to this demo's callback on another origin
   * (localhost vs 127.0.0.1, another port), the cookie and sessionStorage would not be there and
   * the login could not finish: say where to open the page instead.
   */
  function callbackOnAnotherOrigin(authorizeURL, provider) {
    const redirect = parseHttpURL(authorizeURL.searchParams.get("redirect_uri") || "");
    if (!redirect || redirect.pathname !== demo.callbackPath(provider)) return null;
    return redirect.origin === window.location.origin ? null : redirect.origin;
  }

  function setButtonsDisabled(disabled) {
    for (const id of Object.values(buttons)) demo.byId(id).disabled = disabled;
  }

  async function startLogin(provider) {
    if (starting) return;
    starting = true;
    setButtonsDisabled(true);
    demo.hideError();
    demo.setHidden("origin-hint", true);
    demo.setStatus("starting", "로그인 시도를 만드는 중… / Creating a login attempt…");
    try {
      const answer = await demo.api("POST", "/auth/" + provider + "/start", { body: {} });
      const data = answer.data || {};
      const authorizeURL = parseHttpURL(data.authorize_url);
      if (!authorizeURL || typeof data.state !== "string") {
        throw new demo.ApiError(answer.status, "invalid_response", "The start answer had no authorize_url or state.", null, null);
      }
      if (typeof data.attempt_token === "string") {
        demo.storageSet(demo.keys.attemptToken, data.attempt_token);
      } else {
        demo.storageRemove(demo.keys.attemptToken);
      }
      demo.storageSet(demo.keys.state, data.state);
      demo.storageRemove(demo.keys.callback);
      demo.storageRemove(demo.keys.linkAccessToken);

      const otherOrigin = callbackOnAnotherOrigin(authorizeURL, provider);
      if (otherOrigin) {
        const link = demo.byId("origin-link");
        link.href = otherOrigin + "/";
        link.textContent = otherOrigin + "/";
        demo.setHidden("origin-hint", false);
        demo.setStatus("failed", "다른 주소에서 열어 주세요. / Open the demo on the other address.");
        demo.showError("redirect_origin_mismatch", "The provider would return to " + otherOrigin + ", not to this page's address.");
        setButtonsDisabled(false);
        starting = false;
        return;
      }

      demo.setStatus("redirecting", providerNames[provider] + "(으)로 이동합니다… / Going to " + provider + "…");
      demo.logNote("→ authorize_url (" + authorizeURL.origin + authorizeURL.pathname + ")");
      window.location.assign(authorizeURL.href);
    } catch (error) {
      const code = error instanceof demo.ApiError ? error.code : "internal_error";
      demo.setStatus("failed", "로그인을 시작하지 못했습니다. / The login could not start.");
      demo.showError(code, error && error.message, error && error.providerError);
      setButtonsDisabled(false);
      starting = false;
    }
  }

  function main() {
    demo.attachRequestLog();
    demo.setStatus("idle", "버튼을 눌러 로그인하세요. / Press the button to log in.");
    demo.byId("login-button").addEventListener("click", function () {
      startLogin("kakao");
    });
    demo.byId("google-login-button").addEventListener("click", function () {
      startLogin("google");
    });
    // Offer Google only when this API serves it.
    demo.providers().then(function (providers) {
      demo.setHidden("google-login", providers.indexOf("google") === -1);
    });
    // Coming back with the browser's Back button after a start: allow another click.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        starting = false;
        setButtonsDisabled(false);
        demo.setStatus("idle", "버튼을 눌러 로그인하세요. / Press the button to log in.");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", main);
  } else {
    main();
  }
})();
