/// The form encoding lives in OAuthClientSupport (both provider clients use it); modules that
/// build Kakao URLs keep reaching it through KakaoAPI.
@_exported import enum OAuthClientSupport.FormBody
