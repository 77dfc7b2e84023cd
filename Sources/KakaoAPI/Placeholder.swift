// Placeholder until the KakaoAPI module lands.
enum KakaoAPIPlaceholder {}
