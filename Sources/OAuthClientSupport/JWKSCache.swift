import Base64Coding
import JWTKit

/// A provider's ID-token keys, fetched once and kept (for the lifetime the provider's answer
/// allows, if it says); fetched again when a token names an unknown `kid`, at most once per
/// `minimumRefetchInterval` after a successful fetch. Only RSA keys usable for RS256 are kept,
/// each pinned to RS256 whatever a token's header says.
package struct JWKSCache<Failure: Error>: Sendable {
    /// The keys of one fetch: the key set's members and how long they may be kept.
    package typealias Fetch = @Sendable () async throws(Failure) -> CachedFetch<[JWK], Failure>.Fetched

    private let minimumRefetchInterval: Duration
    private let installed = CachedFetch<InstalledKeys, Failure>()

    /// A fetched JWKS, already loaded into a key collection.
    private struct InstalledKeys: Sendable {
        let collection: JWTKeyCollection
        let kids: Set<String>
    }

    package init(minimumRefetchInterval: Duration) {
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    /// The ID-token checks that come before the provider's claims (raw values as the providers'
    /// check names).
    package enum SignatureCheck: String, Sendable, Hashable {
        /// Not three base64url segments with a JSON header and payload.
        case malformed
        /// The header's `alg` is not RS256.
        case algorithm
        /// No key of the provider's set has the token's `kid`.
        case unknownKey = "unknown_key"
        /// The signature does not verify.
        case signature
    }

    /// The payload of `token`, read as `Payload` once its RS256 signature verifies with the
    /// key its `kid` names (the key set fetched with `fetch` when needed).
    /// - Throws: `reject(check)` for a failed check, or the fetch's error.
    package func verifiedPayload<Payload: JSONReadable>(
        of token: String,
        as type: Payload.Type,
        reject: (SignatureCheck) -> Failure,
        fetch: @escaping Fetch
    ) async throws(Failure) -> Payload {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let headerBytes = Base64URL.decode(segments[0]),
            let header = JSONValue(parsing: headerBytes), header.object != nil,
            JSONValue.isOptionalString(header["alg"]), JSONValue.isOptionalString(header["kid"])
        else { throw reject(.malformed) }
        guard header["alg"]?.string == "RS256" else { throw reject(.algorithm) }
        guard let kid = header["kid"]?.string, !kid.isEmpty else { throw reject(.unknownKey) }
        let keys = try await installed.value(
            minimumRefetchInterval: minimumRefetchInterval,
            isSufficient: { $0.kids.contains(kid) },
            fetch: { () async throws(Failure) -> CachedFetch<InstalledKeys, Failure>.Fetched in
                let fetched = try await fetch()
                return .init(value: await Self.install(fetched.value), lifetime: fetched.lifetime)
            }
        )
        guard keys.kids.contains(kid) else { throw reject(.unknownKey) }
        do {
            _ = try await keys.collection.verify(token, as: SignatureOnly.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw reject(.signature)
        } catch {
            throw reject(.malformed)
        }
        guard let payloadBytes = Base64URL.decode(segments[1]), let json = JSONValue(parsing: payloadBytes),
            let payload = Payload(json: json)
        else { throw reject(.malformed) }
        return payload
    }

    /// What jwt-kit decodes: nothing, so that it checks only the signature; the provider reads
    /// the claims itself.
    private struct SignatureOnly: JWTPayload {
        init(from decoder: any Decoder) throws {}
        func encode(to encoder: any Encoder) throws {}
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private static func install(_ jwks: [JWK]) async -> InstalledKeys {
        let collection = JWTKeyCollection()
        var installed = Set<String>()
        for jwk in jwks where jwk.kty == "RSA" && (jwk.alg == nil || jwk.alg == "RS256") && (jwk.use == nil || jwk.use == "sig") {
            // RSA keys under 2048 bits (256 bytes of modulus) are not trusted.
            guard (Base64URL.decode(jwk.n)?.drop(while: { $0 == 0 }).count ?? 0) >= 256,
                let key = try? Insecure.RSA.PublicKey(modulus: jwk.n, exponent: jwk.e)
            else { continue }
            await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: jwk.kid))
            installed.insert(jwk.kid)
        }
        return InstalledKeys(collection: collection, kids: installed)
    }
}

/// One member of `{"keys": […]}`.
package struct JWK: JSONReadable, Sendable {
    package let kid: String
    package let kty: String
    package let alg: String?
    package let use: String?
    package let n: String
    package let e: String

    /// Nil unless `kid`, `kty`, `n` and `e` are strings and `alg` and `use` strings when given.
    package init?(json: JSONValue) {
        guard let kid = json["kid"]?.string, let kty = json["kty"]?.string, let n = json["n"]?.string,
            let e = json["e"]?.string, JSONValue.isOptionalString(json["alg"]), JSONValue.isOptionalString(json["use"])
        else { return nil }
        (self.kid, self.kty, self.n, self.e) = (kid, kty, n, e)
        alg = json["alg"]?.string
        use = json["use"]?.string
    }
}

/// The JWKS document; members that are not RSA keys with a kid are skipped, not fatal.
package struct JWKSDocument: JSONReadable, Sendable {
    package let keys: [JWK]

    /// Nil unless the document is an object.
    package init?(json: JSONValue) {
        guard json.object != nil else { return nil }
        keys = json["keys"]?.array?.compactMap(JWK.init(json:)) ?? []
    }
}
