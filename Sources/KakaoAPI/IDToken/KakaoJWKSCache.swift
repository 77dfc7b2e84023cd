import JWTKit

/// Kakao's ID-token keys, fetched once and kept; fetched again when a token names an unknown
/// `kid`, at most once per `minimumRefetchInterval` after a successful fetch (concurrent misses
/// share one fetch; a failed fetch is retried by the next call).
/// Only RSA keys usable for RS256 are kept, each pinned to RS256 whatever a token's header says.
actor KakaoJWKSCache {
    typealias Fetch = @Sendable () async throws(KakaoAPIError) -> [KakaoJWK]

    private let minimumRefetchInterval: Duration
    private var keys = JWTKeyCollection()
    private var kids: Set<String> = []
    private var lastFetch: ContinuousClock.Instant?
    private var pendingFetch: Task<Result<KeySet, KakaoAPIError>, Never>?

    /// Fetched keys, made ready to verify with before any caller sees them.
    private struct KeySet: Sendable {
        let keys: JWTKeyCollection
        let kids: Set<String>
    }

    init(minimumRefetchInterval: Duration) {
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    /// The key collection, holding `kid` (after a refetch if needed).
    /// - Throws: ``KakaoAPIError`` `id_token_invalid`/`unknown_key`, or the fetch's error.
    func keys(containing kid: String, fetch: @escaping Fetch) async throws(KakaoAPIError) -> JWTKeyCollection {
        if kids.contains(kid) { return keys }
        if let lastFetch, ContinuousClock.now - lastFetch < minimumRefetchInterval, pendingFetch == nil {
            throw .idToken(.unknownKey)
        }
        let task: Task<Result<KeySet, KakaoAPIError>, Never>
        if let pendingFetch {
            task = pendingFetch
        } else {
            task = Task {
                do throws(KakaoAPIError) { return .success(await Self.keySet(try await fetch())) } catch { return .failure(error) }
            }
            pendingFetch = task
        }
        let result = await task.value
        // No suspension from here on: every caller that waited for this fetch sees its keys.
        if pendingFetch == task {
            pendingFetch = nil
            if case .success(let set) = result {
                lastFetch = .now
                keys = set.keys
                kids = set.kids
            }
        }
        if case .failure(let error) = result { throw error }
        guard kids.contains(kid) else { throw .idToken(.unknownKey) }
        return keys
    }

    private static func keySet(_ jwks: [KakaoJWK]) async -> KeySet {
        let collection = JWTKeyCollection()
        var installed = Set<String>()
        for jwk in jwks where jwk.kty == "RSA" && (jwk.alg == nil || jwk.alg == "RS256") && (jwk.use == nil || jwk.use == "sig") {
            guard let key = try? Insecure.RSA.PublicKey(modulus: jwk.n, exponent: jwk.e) else { continue }
            await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: jwk.kid))
            installed.insert(jwk.kid)
        }
        return KeySet(keys: collection, kids: installed)
    }
}

/// One member of `{"keys": […]}`.
struct KakaoJWK: Decodable, Sendable {
    let kid: String
    let kty: String
    let alg: String?
    let use: String?
    let n: String
    let e: String
}

/// The JWKS document; members that are not RSA keys with a kid are skipped, not fatal.
struct KakaoJWKS: Decodable {
    let keys: [KakaoJWK]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        keys = (container.lenient("keys", as: [Lenient<KakaoJWK>].self) ?? []).compactMap(\.value)
    }
}
