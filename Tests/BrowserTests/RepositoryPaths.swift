import Foundation

/// Folders of this repository, found from this source file (tests run from the checkout).
enum RepositoryPaths {
    /// The repository's root folder.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // BrowserTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `Sources/LoginAPI/Resources`: served as-is, its `demo/` folder is at `/demo/`.
    static var loginAPIResources: URL {
        root.appendingPathComponent("Sources/LoginAPI/Resources", isDirectory: true)
    }
}
