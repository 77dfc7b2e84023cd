import Foundation

/// Files a test keeps for people to look at (screenshots): `$KAKAO_TEST_ARTIFACTS`, by default
/// `test-artifacts/` in the repository (git ignores it; CI keeps it).
enum TestArtifacts {
    /// The artifacts folder (not created yet).
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["KAKAO_TEST_ARTIFACTS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return RepositoryPaths.root.appendingPathComponent("test-artifacts", isDirectory: true)
    }

    /// Where to write an artifact called `name` (made safe for a file name) with `fileExtension`;
    /// creates the folder.
    static func file(named name: String, fileExtension: String) throws -> URL {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-" })
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(safe.isEmpty ? "artifact" : safe).appendingPathExtension(fileExtension)
    }
}
