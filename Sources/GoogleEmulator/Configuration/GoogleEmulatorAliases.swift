import EmulatorSupport

/// The emulators' one error type (``EmulatorError``).
public typealias GoogleEmulatorError = EmulatorError

/// The emulators' fault settings (``EmulatorFaults``).
public typealias GoogleEmulatorFaults = EmulatorFaults
