// The test SPA: the browser client, copied next to this file, against the API on another
// origin (config.js, written by the test, says where). index.html?binding=header starts a login
// bound by X-Login-Attempt instead of the cookie; callback.html is the redirect URI.
import { apiBaseURL } from "./config.js";
import { LoginClient } from "./kakao-login.js";

const $ = (id) => document.getElementById(id);
const binding = new URLSearchParams(location.search).get("binding") || "cookie";
// spa:wait (set by a test) shortens the long-poll, so that the client polls again soon.
const waitSeconds = Number(sessionStorage.getItem("spa:wait") || 25);
const client = new LoginClient({ apiBaseURL, binding, waitSeconds, redirectURI: new URL("callback.html", location.href).href });
window.spa = { client };

let posts = 0;
let refreshPosts = 0;
let networkErrors = 0;
client.addEventListener("request", ({ detail }) => {
  if (detail.code === "network_error") $("network-errors").textContent = String(++networkErrors);
  if (detail.method !== "POST") return;
  if (/^\/auth\/[a-z]+\/login$/.test(detail.path)) $("posts").textContent = String(++posts);
  if (detail.path === "/auth/token/refresh") refreshPosts += 1;
});
client.addEventListener("signedout", ({ detail }) => {
  $("signed-out").textContent = detail.reason + (detail.elsewhere ? " elsewhere" : "");
});

function show(status, error) {
  $("status").textContent = status;
  $("error-code").textContent = error ? error.code : "";
}

const failure = (error) => `${error.status} ${error.code}`;

function complete() {
  // React StrictMode runs an effect twice in development: so does this page, every time.
  Promise.all([client.completeLogin(), client.completeLogin()]).then(([result]) => {
    $("user-id").textContent = result.user ? result.user.id : "";
    $("is-new-user").textContent = String(result.isNewUser);
    $("name").textContent = result.user ? result.user.display_name || "" : "";
    show("succeeded");
  }, (error) => show("failed", error));
}

$("me").onclick = () =>
  client.me().then((user) => ($("me-result").textContent = `200 ${user.display_name} ${user.providers.join(",")}`),
    (error) => ($("me-result").textContent = failure(error)));

// Two refreshes at once (two components that both saw an expired token): one request.
$("refresh").onclick = () => {
  const before = client.session.refreshToken;
  refreshPosts = 0;
  Promise.all([client.refresh(), client.refresh()]).then(([a, b]) => {
    const rotated = a.refreshToken !== before && a.refreshToken === b.refreshToken;
    $("refresh-result").textContent = `${refreshPosts} request ${rotated ? "rotated" : "not rotated"}`;
  }, (error) => ($("refresh-result").textContent = failure(error)));
};

// After a logout the old access token must be refused at once.
$("logout").onclick = async () => {
  const old = client.session.accessToken;
  await client.logout();
  try {
    await client.request("GET", "/me", { bearer: old });
    $("logout-result").textContent = "200";
  } catch (error) {
    $("logout-result").textContent = failure(error);
  }
};

if (document.body.dataset.page === "callback") {
  // spa:manual (set by a test) keeps the code in the address bar until #complete is clicked.
  if (sessionStorage.getItem("spa:manual")) {
    sessionStorage.removeItem("spa:manual");
    $("complete").hidden = false;
    $("complete").onclick = complete;
    show("waiting");
  } else {
    complete();
  }
} else {
  for (const provider of ["kakao", "google"]) {
    $(provider).onclick = () => client.startLogin(provider).catch((error) => show("failed", error));
  }
  show("idle");
}
