import CLibPQ

extension LibPQConnection {
    /// Without our session settings (``PostgresConfiguration/throughTransactionPooler``), the one server setting the text decoders cannot do without: `DateStyle` must
    /// be ISO (timestamps and dates are parsed as ISO). `TimeZone` does not matter (every
    /// `timestamptz` carries its offset). Returns what to fix, or `nil` when the session is usable
    /// or the server (or pooler) does not report the setting.
    static func unsupportedSessionSetting(_ raw: OpaquePointer) -> String? {
        guard let value = PQparameterStatus(raw, "DateStyle").map({ String(cString: $0) }) else { return nil }
        guard !value.uppercased().hasPrefix("ISO") else { return nil }
        return "the server's DateStyle is \(value), not ISO: set it on the role (ALTER ROLE … SET DateStyle = 'ISO, MDY') "
            + "or the database, since the connection sends no session settings (DATABASE_POOLER)"
    }
}
