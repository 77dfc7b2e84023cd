// Placeholder until the Postgres module lands.
enum PostgresPlaceholder {}
