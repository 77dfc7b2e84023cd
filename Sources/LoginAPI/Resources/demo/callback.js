/*
 * kakao-login demo, callback page (served at /auth/{provider}/callback, the redirect_uri of Kakao
 * and of Google). The browser client does the login: completeLogin() reads and removes the code
 * from the address bar, posts it once (however often it is called in this document, and never
 * again after a reload), long-polls, and keeps the tokens in memory. This page shows the user,
 * the access token's claims, and offers GET /me, refresh, logout and linking the other provider.
 */
import * as demo from "/demo/demo.js";

const client = demo.client;
const providerLabels = { kakao: "Kakao", google: "Google" };
/** During a link only: the signed-in user's access token, to show the providers after the round trip. */
const linkAccessTokenKey = "kakao-login-demo:link-access-token";

let posts = 0;
let refreshCount = 0;

function countLoginPosts(event) {
  if (event.detail.method === "POST" && /^\/auth\/[a-z]+\/login$/.test(event.detail.path)) {
    posts += 1;
    demo.setText("login-posts", String(posts));
  }
}

function fail(error) {
  demo.setStatus("failed", "로그인 실패 / Login failed");
  demo.showError(error);
  demo.setHidden("user", true);
  demo.setHidden("tokens", true);
  sessionStorage.removeItem(linkAccessTokenKey);
}

function showUser(user, isNewUser) {
  demo.setHidden("user", false);
  // A read after the tokens were delivered carries the status only: no user to show.
  demo.setHidden("user-details", !user);
  if (!user) return;
  demo.setText("user-nickname", user.display_name || "(닉네임 없음 / no nickname)");
  demo.setText("user-id", user.id || "");
  demo.setText("user-email", user.email || "");
  demo.setText("user-email-verified", user.email_verified === true ? "✓ verified" : "unverified");
  demo.setHidden("user-email-row", !user.email);
  const image = demo.byId("user-image");
  if (typeof user.profile_image_url === "string" && /^https?:\/\//.test(user.profile_image_url)) {
    image.src = user.profile_image_url;
    image.hidden = false;
  }
  const isNew = demo.byId("is-new-user");
  isNew.textContent = isNewUser === null ? "" : String(isNewUser);
  isNew.setAttribute("data-value", isNew.textContent);
  const label = isNewUser === true ? "새로 가입했습니다 / signed up just now" : isNewUser === false ? "기존 사용자 / returning user" : "";
  demo.setText("is-new-user-label", label);
}

function showClaims() {
  const session = client.session;
  const decoded = session ? demo.decodeJwt(session.accessToken) : null;
  demo.setText("claims", decoded ? JSON.stringify(decoded, null, 2) : "(JWT가 아닙니다 / not a JWT)");
  demo.setText("token-expiry", session ? new Date(session.expiresAt).toISOString() : "");
  demo.setText("token-type", session ? session.tokenType : "");
  demo.setText("refresh-count", String(refreshCount));
}

function setSessionButtons(enabled) {
  for (const id of ["me-button", "refresh-button", "logout-button", "link-kakao-button", "link-google-button"]) {
    demo.byId(id).disabled = !enabled;
  }
}

/** GET /me with `bearer` (true: the client's token): the linked providers, shown in #linked-providers. */
async function showProviders(bearer) {
  try {
    const { data } = await client.request("GET", "/me", { bearer });
    const providers = Array.isArray(data && data.providers) ? data.providers : [];
    demo.setText("linked-providers", providers.join(","));
    demo.setHidden("providers-line", false);
    return providers;
  } catch (_) {
    return [];
  }
}

/** Offers a link button for each provider the API serves that the user has not linked. */
async function offerLinks() {
  const served = await demo.providers();
  const linked = await showProviders(true);
  let offered = false;
  for (const name of demo.knownProviders) {
    const show = served.includes(name) && !linked.includes(name);
    demo.setHidden("link-" + name + "-button", !show);
    offered = offered || show;
  }
  demo.setHidden("link", !offered);
}

async function startLink(other) {
  setSessionButtons(false);
  try {
    sessionStorage.setItem(linkAccessTokenKey, await client.getAccessToken());
    await client.startLogin(other, { link: true });
  } catch (error) {
    sessionStorage.removeItem(linkAccessTokenKey);
    demo.showError(error);
    setSessionButtons(true);
  }
}

async function showResult(result) {
  demo.hideError();
  const provider = providerLabels[result.provider] || result.provider;
  if (result.linked) {
    showUser(result.user, false);
    demo.setStatus("linked", provider + " 계정을 연결했습니다. / " + provider + " is now linked.");
    const accessToken = sessionStorage.getItem(linkAccessTokenKey);
    sessionStorage.removeItem(linkAccessTokenKey);
    if (accessToken) await showProviders(accessToken);
    return;
  }
  showUser(result.user, result.isNewUser);
  if (!result.signedIn) {
    // Tokens go to the first read (and re-reads within 60 s); later reads get the status only.
    demo.setHidden("tokens-delivered-line", false);
    demo.setStatus("succeeded", "로그인은 끝났지만 토큰은 이미 전달되었습니다. / Logged in earlier; the tokens were already delivered.");
    return;
  }
  showClaims();
  demo.setText("session-status", "active");
  setSessionButtons(true);
  demo.setHidden("tokens", false);
  demo.setStatus("succeeded", "로그인했습니다. / Logged in.");
  offerLinks();
}

/** GET /me with `bearer`, shown in #me-line (status, error code, display name). */
async function callMe(bearer) {
  demo.setHidden("me-line", false);
  for (const id of ["me-status", "me-error-code", "me-nickname"]) demo.setText(id, "");
  try {
    const answer = await client.request("GET", "/me", { bearer });
    demo.setText("me-nickname", (answer.data && answer.data.display_name) || "");
    demo.setText("me-status", String(answer.status));
  } catch (error) {
    demo.setText("me-error-code", error.code || "internal_error");
    demo.setText("me-status", error.status ? String(error.status) : "error");
  }
}

async function onMe() {
  setSessionButtons(false);
  await callMe(true);
  setSessionButtons(client.signedIn);
}

async function onRefresh() {
  setSessionButtons(false);
  demo.setText("session-status", "refreshing");
  try {
    await client.refresh();
    refreshCount += 1;
    showClaims();
    demo.hideError();
    demo.setText("session-status", "refreshed");
  } catch (error) {
    demo.showError(error);
    demo.setText("session-status", "refresh-failed");
  }
  setSessionButtons(client.signedIn);
}

async function onLogout() {
  setSessionButtons(false);
  demo.setText("session-status", "logging-out");
  const oldAccessToken = client.session.accessToken;
  try {
    await client.logout();
  } catch (error) {
    demo.showError(error);
    demo.setText("session-status", "logout-failed");
    return;
  }
  demo.setText("session-status", "logged-out");
  // The old access token is still within its 15 minutes, yet /me must refuse it now.
  await callMe(oldAccessToken);
}

demo.attachRequestLog();
client.addEventListener("request", countLoginPosts);
demo.byId("me-button").addEventListener("click", onMe);
demo.byId("refresh-button").addEventListener("click", onRefresh);
demo.byId("logout-button").addEventListener("click", onLogout);
for (const name of demo.knownProviders) {
  demo.byId("link-" + name + "-button").addEventListener("click", () => startLink(name));
}
demo.setStatus("pending", "로그인 처리 중… / Finishing the login…");
client.completeLogin().then(showResult, fail);
