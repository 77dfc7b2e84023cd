import EmulatorSupport

/// The emulators' one error type (``EmulatorError``), under the name this module always had.
public typealias KakaoEmulatorError = EmulatorError

/// The emulators' fault settings (``EmulatorFaults``), under the name this module always had.
public typealias KakaoEmulatorFaults = EmulatorFaults
