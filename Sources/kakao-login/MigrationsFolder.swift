/// Where the `NNNN_name.sql` migrations are, for `migrate` and `dev`: the `--migrations-dir`
/// flag, else `KAKAO_LOGIN_MIGRATIONS`, else `./sql/migrations` (run from the repository root).
enum MigrationsFolder {
    static func path(flag: String?, environment: [String: String]) -> String {
        flag ?? environment["KAKAO_LOGIN_MIGRATIONS"].flatMap { $0.isEmpty ? nil : $0 } ?? "./sql/migrations"
    }
}
