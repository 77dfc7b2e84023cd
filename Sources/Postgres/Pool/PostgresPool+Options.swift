import CoreMetrics

extension PostgresPool {
    /// Pool tuning. The defaults suit a small service; every value is documented on its property.
    public struct Options: Sendable {
        /// The most connections open at once (and the number of database threads). Default 10.
        public var maximumConnections: Int
        /// How long a task waits for a free connection before ``PostgresError/Code/poolTimeout``.
        /// Default 10 seconds.
        public var acquireTimeout: Duration
        /// Prepared statements kept per connection, keyed by SQL text; 0 turns preparing off.
        /// Behind PgBouncer in transaction mode it is 0 whatever this says
        /// (``PostgresConfiguration/throughTransactionPooler``). Default 128.
        public var statementCacheSize: Int
        /// The pool's name in logs and in the `db.pool` metric dimension. Default `"default"`.
        public var name: String
        /// Where metrics go; `nil` uses the bootstrapped `MetricsSystem`. Default `nil`.
        public var metricsFactory: (any MetricsFactory)?

        /// Creates options; every parameter has the default documented on its property.
        public init(
            maximumConnections: Int = 10,
            acquireTimeout: Duration = .seconds(10),
            statementCacheSize: Int = 128,
            name: String = "default",
            metricsFactory: (any MetricsFactory)? = nil
        ) {
            self.maximumConnections = maximumConnections
            self.acquireTimeout = acquireTimeout
            self.statementCacheSize = statementCacheSize
            self.name = name
            self.metricsFactory = metricsFactory
        }
    }
}
