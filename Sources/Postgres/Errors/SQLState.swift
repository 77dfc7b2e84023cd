/// SQLSTATE helpers: condition names for descriptions, and which server messages are safe to
/// repeat in a ``PostgresError/summary``.
enum SQLState {
    /// PostgreSQL's condition name for the common SQLSTATEs (Appendix A of its manual), else the
    /// name of the class.
    static func conditionName(_ state: String) -> String? {
        if let name = names[state] { return name }
        return classNames[String(state.prefix(2))]
    }

    /// Whether the server's primary message for this SQLSTATE is known not to quote data values.
    ///
    /// Data exceptions (class 22), integrity violations (23), user `RAISE`s (P0) and internal
    /// errors may quote parameter or row values, so their messages are never repeated. Syntax
    /// and access errors (42) quote SQL text and identifiers, which come from our own code
    /// (values travel as bound parameters).
    static func messageIsSafe(_ state: String) -> Bool {
        switch state.prefix(2) {
        case "08", "0A", "25", "28", "2B", "3D", "3F", "40", "42", "53", "54", "55", "57", "58":
            return true
        default:
            return false
        }
    }

    private static let names: [String: String] = [
        "08000": "connection_exception",
        "08003": "connection_does_not_exist",
        "08006": "connection_failure",
        "08001": "sqlclient_unable_to_establish_sqlconnection",
        "08004": "sqlserver_rejected_establishment_of_sqlconnection",
        "08P01": "protocol_violation",
        "0A000": "feature_not_supported",
        "21000": "cardinality_violation",
        "22000": "data_exception",
        "22001": "string_data_right_truncation",
        "22003": "numeric_value_out_of_range",
        "22007": "invalid_datetime_format",
        "22008": "datetime_field_overflow",
        "22012": "division_by_zero",
        "22021": "character_not_in_repertoire",
        "22023": "invalid_parameter_value",
        "22P02": "invalid_text_representation",
        "22P03": "invalid_binary_representation",
        "22P05": "untranslatable_character",
        "23000": "integrity_constraint_violation",
        "23502": "not_null_violation",
        "23503": "foreign_key_violation",
        "23505": "unique_violation",
        "23514": "check_violation",
        "23P01": "exclusion_violation",
        "25001": "active_sql_transaction",
        "25006": "read_only_sql_transaction",
        "25P01": "no_active_sql_transaction",
        "25P02": "in_failed_sql_transaction",
        "25P03": "idle_in_transaction_session_timeout",
        "28000": "invalid_authorization_specification",
        "28P01": "invalid_password",
        "3D000": "invalid_catalog_name",
        "3F000": "invalid_schema_name",
        "40001": "serialization_failure",
        "40P01": "deadlock_detected",
        "42501": "insufficient_privilege",
        "42601": "syntax_error",
        "42703": "undefined_column",
        "42704": "undefined_object",
        "42710": "duplicate_object",
        "42804": "datatype_mismatch",
        "42P01": "undefined_table",
        "42P02": "undefined_parameter",
        "42P04": "duplicate_database",
        "42P05": "duplicate_prepared_statement",
        "42P07": "duplicate_table",
        "42P18": "indeterminate_datatype",
        "42883": "undefined_function",
        "53000": "insufficient_resources",
        "53100": "disk_full",
        "53200": "out_of_memory",
        "53300": "too_many_connections",
        "55000": "object_not_in_prerequisite_state",
        "55006": "object_in_use",
        "55P03": "lock_not_available",
        "57014": "query_canceled",
        "57P01": "admin_shutdown",
        "57P02": "crash_shutdown",
        "57P03": "cannot_connect_now",
        "57P04": "database_dropped",
        "58000": "system_error",
        "P0001": "raise_exception",
        "XX000": "internal_error",
    ]

    private static let classNames: [String: String] = [
        "08": "connection_exception",
        "0A": "feature_not_supported",
        "22": "data_exception",
        "23": "integrity_constraint_violation",
        "25": "invalid_transaction_state",
        "28": "invalid_authorization_specification",
        "40": "transaction_rollback",
        "42": "syntax_error_or_access_rule_violation",
        "53": "insufficient_resources",
        "54": "program_limit_exceeded",
        "55": "object_not_in_prerequisite_state",
        "57": "operator_intervention",
        "58": "system_error",
        "P0": "plpgsql_error",
        "XX": "internal_error",
    ]
}
