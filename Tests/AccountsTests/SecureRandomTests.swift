import Accounts
import Testing

@Suite("SecureRandom")
struct SecureRandomTests {
    @Test("exactly the bytes asked for, across the 8-byte draws", arguments: [0, 1, 7, 8, 9, 16, 32, 33])
    func counts(count: Int) {
        #expect(SecureRandom.bytes(count).count == count)
    }

    @Test("two draws differ, and every byte value turns up")
    func random() {
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        // 64 KiB of uniform bytes miss a given value with probability (255/256)^65536 ≈ 1e-111.
        #expect(Set(SecureRandom.bytes(65_536)).count == 256)
    }
}
