/*
 * kakao-login demo, start page: the "카카오 로그인" and "Google로 로그인" buttons (the latter only
 * when GET /auth/providers lists google). The browser client starts the attempt (the API sets
 * the HttpOnly attempt cookie; the client keeps the state in sessionStorage); this page checks
 * that the provider will come back to this origin, then goes to the consent page.
 */
import * as demo from "/demo/demo.js";

const buttons = { kakao: "login-button", google: "google-login-button" };
const providerNames = { kakao: "카카오 / Kakao", google: "Google" };
let starting = false;

/**
 * When the provider would send the browser back to this demo's callback on another origin
 * (localhost vs 127.0.0.1, another port), the cookie and sessionStorage would not be there and
 * the login could not finish: the origin to open the page on instead, else null.
 */
function callbackOnAnotherOrigin(authorizeURL, provider) {
  try {
    const redirect = new URL(new URL(authorizeURL).searchParams.get("redirect_uri") || "");
    if (redirect.pathname !== "/auth/" + provider + "/callback") return null;
    return redirect.origin === window.location.origin ? null : redirect.origin;
  } catch (_) {
    return null;
  }
}

function setButtonsDisabled(disabled) {
  for (const id of Object.values(buttons)) demo.byId(id).disabled = disabled;
}

function ready() {
  starting = false;
  setButtonsDisabled(false);
}

async function startLogin(provider) {
  if (starting) return;
  starting = true;
  setButtonsDisabled(true);
  demo.hideError();
  demo.setHidden("origin-hint", true);
  demo.setStatus("starting", "로그인 시도를 만드는 중… / Creating a login attempt…");
  try {
    const { authorizeURL } = await demo.client.startLogin(provider, { navigate: false });
    const otherOrigin = callbackOnAnotherOrigin(authorizeURL, provider);
    if (otherOrigin) {
      const link = demo.byId("origin-link");
      link.href = otherOrigin + "/";
      link.textContent = otherOrigin + "/";
      demo.setHidden("origin-hint", false);
      demo.setStatus("failed", "다른 주소에서 열어 주세요. / Open the demo on the other address.");
      demo.showError({ code: "redirect_origin_mismatch", message: "The provider would return to " + otherOrigin + "." });
      ready();
      return;
    }
    demo.setStatus("redirecting", providerNames[provider] + "(으)로 이동합니다… / Going to " + provider + "…");
    const target = new URL(authorizeURL);
    demo.logNote("→ authorize_url (" + target.origin + target.pathname + ")");
    window.location.assign(authorizeURL);
  } catch (error) {
    demo.setStatus("failed", "로그인을 시작하지 못했습니다. / The login could not start.");
    demo.showError(error);
    ready();
  }
}

demo.attachRequestLog();
demo.setStatus("idle", "버튼을 눌러 로그인하세요. / Press the button to log in.");
for (const [provider, id] of Object.entries(buttons)) {
  demo.byId(id).addEventListener("click", () => startLogin(provider));
}
// Offer Google only when this API serves it.
demo.providers().then((providers) => demo.setHidden("google-login", !providers.includes("google")));
// Coming back with the browser's Back button after a start: allow another click.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  ready();
  demo.setStatus("idle", "버튼을 눌러 로그인하세요. / Press the button to log in.");
});
