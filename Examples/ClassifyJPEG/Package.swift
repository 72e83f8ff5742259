// swift-tools-version:6.1
import PackageDescription

// An app that uses TinyGraph and TinyImage from this repository, by path.
// From a release, depend on it by URL instead (see the getting-started article):
//   .package(url: "https://github.com/OWNER/REPOSITORY", from: "VERSION")
let package = Package(
    name: "ClassifyJPEG",
    dependencies: [
        // `name:` fixes the package's identity, so `.product(..., package: "TinyGraph")`
        // works whatever the folder of the clone is called.
        .package(name: "TinyGraph", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ClassifyJPEG",
            dependencies: [
                .product(name: "TinyGraph", package: "TinyGraph"),
                .product(name: "TinyImage", package: "TinyGraph"),
            ]
        ),
    ]
)
