import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a run of the built `spoor` binary produced.
struct RunResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Whether a signal ended the process (then `status` is the signal number).
    var killedBySignal = false

    var description: String { "\(killedBySignal ? "signal" : "exit") \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the `spoor` executable built beside the running test bundle, as a child process.
enum Spoor {
    /// The `spoor` binary in the build directory of this test bundle (`<scratch>/debug/spoor`), or `nil`.
    static let binary: String? = {
        var candidates: [String] = []
        if let first = CommandLine.arguments.first { candidates.append(first) }
        if let executable = Bundle.main.executablePath { candidates.append(executable) }
        candidates.append(Bundle.main.bundlePath)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundlePath)
        }
        for candidate in candidates {
            // Linux: <build>/debug/SpoorPackageTests.xctest; macOS: <build>/debug/X.xctest/Contents/MacOS/X.
            var directory = URL(fileURLWithPath: candidate).deletingLastPathComponent()
            for _ in 0..<4 {
                let path = directory.appendingPathComponent("spoor").path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }()

    /// The binary, or a test failure naming where it was looked for.
    static func requireBinary() throws -> String {
        guard let binary else {
            let place = CommandLine.arguments.first ?? Bundle.main.bundlePath
            let message =
                "the spoor executable was not found beside the test bundle (\(place)); build it first with "
                + "`swift build --product spoor` using the same --scratch-path"
            Issue.record(Comment(rawValue: message))
            throw BinaryMissing()
        }
        return binary
    }

    struct BinaryMissing: Error {}

    /// Runs `spoor arguments…` to completion with stdout and stderr captured separately.
    @discardableResult
    static func run(_ arguments: [String]) throws -> RunResult {
        let process = try start(arguments)
        process.process.waitUntilExit()
        return process.finish()
    }

    /// Starts `spoor arguments…` without waiting for it; stdin is `/dev/null` unless a pipe is given, and `environment`
    /// entries are added to (or, when empty, set in) the child's environment.
    static func start(
        _ arguments: [String], standardInput: Pipe? = nil, environment extra: [String: String] = [:]
    ) throws -> RunningSpoor {
        let binary = try requireBinary()
        let scratch = TemporaryDirectory("spoor-cli-output")
        let stdoutPath = scratch.appending("stdout")
        let stderrPath = scratch.appending("stderr")
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
            FileManager.default.createFile(atPath: stderrPath, contents: nil)
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "SPOOR_LOG_LEVEL")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        if let standardInput { process.standardInput = standardInput } else { process.standardInput = FileHandle.nullDevice }
        guard let out = FileHandle(forWritingAtPath: stdoutPath), let err = FileHandle(forWritingAtPath: stderrPath)
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try? out.close()
        try? err.close()
        return RunningSpoor(process: process, scratch: scratch, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }
}

/// A `spoor` child process that is still running.
final class RunningSpoor {
    let process: Process
    let scratch: TemporaryDirectory
    let stdoutPath: String
    let stderrPath: String

    init(process: Process, scratch: TemporaryDirectory, stdoutPath: String, stderrPath: String) {
        self.process = process
        self.scratch = scratch
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// Sends SIGKILL and waits for the process to end.
    func kill() {
        if process.isRunning {
            sendKillSignal(process.processIdentifier)
        }
        process.waitUntilExit()
    }

    /// What has reached stdout so far.
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// What has reached stderr so far.
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The exit status (the signal number when killed) and the captured output, once it has ended.
    func finish() -> RunResult {
        process.waitUntilExit()
        return RunResult(
            status: process.terminationStatus, stdout: stdout, stderr: stderr,
            killedBySignal: process.terminationReason == .uncaughtSignal)
    }
}

/// `kill(pid, SIGKILL)`.
private func sendKillSignal(_ pid: Int32) {
    _ = kill(pid, SIGKILL)
}
