// swift-tools-version: 6.1
// An app of the Swift client: `swift run` here, against `kakao-login dev` running beside it.
import PackageDescription

let package = Package(
    name: "kakao-login-client-example",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "kakao-login", path: "../..")],
    targets: [
        .executableTarget(
            name: "kakao-login-client-example",
            dependencies: [.product(name: "KakaoLoginClient", package: "kakao-login")]
        )
    ]
)
