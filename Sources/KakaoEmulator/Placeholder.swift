// Placeholder until the KakaoEmulator module lands.
enum KakaoEmulatorPlaceholder {}
