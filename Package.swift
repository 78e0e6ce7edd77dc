// swift-tools-version: 6.2
import PackageDescription

// Warnings are errors everywhere: a warning left today hides tomorrow's bug.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "drainsim",
    products: [
        .executable(name: "drainsim", targets: ["drainsim"]),
        .library(name: "DrainsimKit", targets: ["Simulation", "Reporting", "Scenarios", "ClusterModel", "SimKernel"]),
    ],
    targets: [
        .target(name: "SimKernel", swiftSettings: strict),
        .target(name: "ClusterModel", dependencies: ["SimKernel"], swiftSettings: strict),
        .target(name: "Controllers", dependencies: ["ClusterModel", "SimKernel"], swiftSettings: strict),
        .target(name: "Scenarios", dependencies: ["ClusterModel", "SimKernel"], swiftSettings: strict),
        .target(name: "Reporting", dependencies: ["ClusterModel", "SimKernel"], swiftSettings: strict),
        .target(
            name: "Simulation",
            dependencies: ["Controllers", "Scenarios", "Reporting", "ClusterModel", "SimKernel"],
            swiftSettings: strict),
        .target(
            name: "DrainsimCLI", dependencies: ["Simulation", "Reporting", "Scenarios", "ClusterModel", "SimKernel"], swiftSettings: strict),
        .executableTarget(name: "drainsim", dependencies: ["DrainsimCLI"], swiftSettings: strict),
        .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"], swiftSettings: strict),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "ClusterModel"], swiftSettings: strict),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation", "Scenarios", "Reporting", "ClusterModel", "SimKernel", "DrainsimCLI"],
            swiftSettings: strict),
        .testTarget(name: "TidyTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
