// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "TinyGraph",
    products: [
        // The engine: pure Swift, no Foundation, no C dependency.
        .library(name: "TinyGraph", targets: ["TinyGraph"]),
        .executable(name: "tinygraph", targets: ["tinygraph"]),
        // JPEG input for models, over the system's libjpeg-turbo.
        .library(name: "TinyImage", targets: ["TinyImage"]),
        .executable(name: "watcher", targets: ["watcher"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "TinyGraph"),
        // The CLI has its own small argument parser: swift-argument-parser added
        // about 4 MB to the resident memory of every run (measured).
        .executableTarget(name: "tinygraph", dependencies: ["TinyGraph"]),

        // libjpeg-turbo, plus the smallest C shim for its setjmp/longjmp error handling.
        .systemLibrary(name: "CLibJPEG", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // The shim is C, which does not import the module map's `link`: link here too.
        .target(name: "CJPEGShim", dependencies: ["CLibJPEG"], linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "TinyImage", dependencies: ["CJPEGShim"]),

        // libcurl, plus a C shim that gives its variadic curl_easy_setopt typed entry points.
        .systemLibrary(name: "CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CLibCurl"], linkerSettings: [.linkedLibrary("curl")]),

        // Everything the watcher does, as a library the tests drive directly.
        .target(name: "WatcherCore", dependencies: ["TinyGraph", "TinyImage", "CCurlShim"]),
        .executableTarget(
            name: "watcher",
            dependencies: ["WatcherCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "TinyGraphTests", dependencies: ["TinyGraph"]),
        .testTarget(name: "TinyImageTests", dependencies: ["TinyImage"]),
        // Depends on the executable so `swift test` builds the real `watcher` binary the tests run.
        .testTarget(name: "WatcherTests", dependencies: ["WatcherCore", "TinyImage", "watcher"]),
    ]
)
