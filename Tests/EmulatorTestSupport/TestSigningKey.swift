import _CryptoExtras

/// One RSA key for every emulator of a test run (generating one per test is slow on 2 cores).
public let testSigningKeyPEM: String = {
    do {
        return try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
    } catch {
        fatalError("RSA key generation failed: \(error)")
    }
}()
