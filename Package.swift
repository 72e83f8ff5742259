// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "TinyGraph",
    products: [
        // The engine: pure Swift, no Foundation, no C dependency.
        .library(name: "TinyGraph", targets: ["TinyGraph"]),
        // JPEG input for models, over the system's libjpeg-turbo.
        .library(name: "TinyImage", targets: ["TinyImage"]),
        // The lock watcher as a library (SoraCam, decisions, notifiers; libcurl, libmosquitto).
        .library(name: "Watcher", targets: ["Watcher"]),
        .executable(name: "tinygraph", targets: ["TinyGraphCLI"]),
        .executable(name: "watcher", targets: ["WatcherCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation` for the DocC catalogs; a plugin, linked into nothing.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "TinyGraph"),
        // The CLI has its own small argument parser: swift-argument-parser added
        // about 4 MB to the resident memory of every run (measured).
        .executableTarget(name: "TinyGraphCLI", dependencies: ["TinyGraph"]),

        // libjpeg-turbo, plus the smallest C shim for its setjmp/longjmp error handling.
        .systemLibrary(name: "CLibJPEG", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // The shim is C, which does not import the module map's `link`: link here too.
        .target(name: "CJPEGShim", dependencies: ["CLibJPEG"], linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "TinyImage", dependencies: ["CJPEGShim"]),

        // libcurl, plus a C shim that gives its variadic curl_easy_setopt typed entry points.
        // No pkgConfig: SwiftPM would look libcurl up (and warn when it is missing) in
        // every package that depends on this one, even apps that link TinyGraph alone.
        .systemLibrary(name: "CLibCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CLibCurl"], linkerSettings: [.linkedLibrary("curl")]),

        // libmosquitto, the MQTT client behind `--notify mqtt://` (Home Assistant). Its API has no
        // variadic function and takes plain C callbacks, so Swift calls it without a shim.
        .systemLibrary(name: "CLibMosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // SIGINT/SIGTERM as a flag that long operations poll; a second signal exits at once.
        .target(name: "CInterruptShim"),
        // argv as glibc passes it to constructors: CommandLine.arguments is empty where /proc is missing.
        .target(name: "CArgumentsShim"),

        // Everything the watcher does, as a library the tests drive directly.
        .target(name: "Watcher", dependencies: ["TinyGraph", "TinyImage", "CCurlShim", "CLibMosquitto", "CInterruptShim"]),
        .executableTarget(
            name: "WatcherCLI",
            dependencies: ["Watcher", "CArgumentsShim", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "TinyGraphTests", dependencies: ["TinyGraph"]),
        // The heap probe is C that the memory test compiles and preloads itself.
        .testTarget(name: "TinyImageTests", dependencies: ["TinyImage"], exclude: ["Support/jpeg_heap_probe.c"]),
        // Depends on the executable so `swift test` builds the real `watcher` binary the tests run.
        // The interrupt driver is C that InterruptionTests compiles with the shim and runs.
        .testTarget(name: "WatcherTests", dependencies: ["Watcher", "TinyGraph", "TinyImage", "WatcherCLI"],
                    exclude: ["Support/interrupt_driver.c"]),
        // The repository itself: no two tracked paths that differ only by case.
        .testTarget(name: "RepositoryTests"),
    ]
)
