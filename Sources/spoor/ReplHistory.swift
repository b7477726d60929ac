import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The REPL's statement history: the last ``capacity`` entries of a file, one entry a line (a newline inside a
/// multi-line statement is written `\n`, a backslash `\\`). Loaded at start, appended to after each statement.
///
/// The file is `$SPOOR_HISTORY`, or `~/.spoor_history`; an empty `SPOOR_HISTORY` turns the file off. It is created
/// readable by its owner only (it holds the addresses under investigation). A file that cannot be read or written
/// costs one warning, never the session.
struct ReplHistory {
    static let capacity = 1000

    /// The history file, or `nil` when history is kept in memory only.
    private(set) var path: String?
    /// Oldest first, at most ``capacity``.
    private(set) var entries: [String] = []
    /// How many entries the file holds (it is rewritten rather than appended to once it holds ``capacity``).
    private var fileEntryCount = 0

    /// `$SPOOR_HISTORY` (empty: none), else `$HOME/.spoor_history`.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["SPOOR_HISTORY"] { return path.isEmpty ? nil : path }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".spoor_history")
    }

    /// Loads the history in `path` (a missing file is an empty history) and trims the file to ``capacity`` entries.
    init(path: String?) {
        self.path = path
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            disable("cannot read the history file \(path)")
            return
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        entries = lines.suffix(Self.capacity).map { Self.decode($0) }
        fileEntryCount = lines.count
        if lines.count > Self.capacity { rewrite() }
    }

    /// Adds `entry` and appends it to the file (or, when the file is full, rewrites it without its oldest entry).
    mutating func add(_ entry: String) {
        guard !entry.isEmpty else { return }
        entries.append(entry)
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
        guard let path else { return }
        if fileEntryCount >= Self.capacity {
            rewrite()
            return
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            disable("cannot write the history file \(path): \(String(cString: strerror(errno)))")
            return
        }
        defer { close(descriptor) }
        if Self.writeAll(descriptor, Self.encode(entry) + "\n") {
            fileEntryCount += 1
        } else {
            disable("cannot write the history file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The entries numbered from 1, a multi-line entry's later lines indented under its first.
    var listing: String {
        var text = ""
        for (index, entry) in entries.enumerated() {
            let number = String(index + 1)
            text += String(repeating: " ", count: max(0, 5 - number.count)) + number + "  "
            text += entry.replacingOccurrences(of: "\n", with: "\n       ") + "\n"
        }
        return text
    }

    /// Writes the kept entries over the file (through a temporary file and a rename).
    private mutating func rewrite() {
        guard let path else { return }
        let text = entries.map { Self.encode($0) + "\n" }.joined()
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            disable("cannot write the history file \(path): \(String(cString: strerror(errno)))")
            return
        }
        let written = Self.writeAll(descriptor, text)
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            disable("cannot write the history file \(path): \(String(cString: strerror(errno)))")
            return
        }
        fileEntryCount = entries.count
    }

    /// Warns once and keeps history in memory only from now on.
    private mutating func disable(_ message: String) {
        Terminal.warning("\(message); history is not saved in this session")
        path = nil
    }

    private static func writeAll(_ descriptor: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base.advanced(by: offset), buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }

    /// One line of the file for `entry`: `\` → `\\`, newline → `\n`, carriage return → `\r`.
    static func encode(_ entry: String) -> String {
        var line = ""
        for character in entry.unicodeScalars {
            switch character {
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            default: line.unicodeScalars.append(character)
            }
        }
        return line
    }

    /// The entry a line of the file holds (the inverse of ``encode(_:)``; an unknown escape stays as it is).
    static func decode(_ line: Substring) -> String {
        var entry = ""
        var escaped = false
        for character in line.unicodeScalars {
            if escaped {
                switch character {
                case "n": entry += "\n"
                case "r": entry += "\r"
                case "\\": entry += "\\"
                default: entry += "\\" + String(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                entry.unicodeScalars.append(character)
            }
        }
        if escaped { entry += "\\" }
        return entry
    }
}
