import Foundation

/// Thresholds that turn an exposure into a risk level; the documented file is `Schemas/risk-levels.json`.
///
/// Levels are tried in order; the first whose rule holds wins, else ``defaultLevel``. A rule holds when the share of
/// exposed volume is at least `minShare` or the minimal hop is at most `maxHop`.
public struct RiskLevels: Sendable, Hashable, Codable {
    /// One level and its rule.
    public struct Level: Sendable, Hashable, Codable {
        /// The level's name (`severe`, `high`, …).
        public var name: String
        /// Matches when the exposure share (0 … 1) is at least this.
        public var minShare: Double?
        /// Matches when the minimal hop is at most this.
        public var maxHop: Int?

        /// Creates a level.
        public init(name: String, minShare: Double? = nil, maxHop: Int? = nil) {
            self.name = name
            self.minShare = minShare
            self.maxHop = maxHop
        }
    }

    /// Format version (1).
    public var version: Int
    /// The levels, most severe first.
    public var levels: [Level]
    /// The level when none matches.
    public var defaultLevel: String

    enum CodingKeys: String, CodingKey {
        case version, levels
        case defaultLevel = "default"
    }

    /// Creates levels.
    public init(version: Int = 1, levels: [Level], defaultLevel: String) {
        self.version = version
        self.levels = levels
        self.defaultLevel = defaultLevel
    }

    /// The built-in defaults (the same as `Schemas/risk-levels.json`).
    public static let defaults = RiskLevels(
        levels: [
            Level(name: "severe", minShare: 0.25, maxHop: 1), Level(name: "high", minShare: 0.05, maxHop: 2),
            Level(name: "medium", minShare: 0.005, maxHop: 3),
        ],
        defaultLevel: "low"
    )

    /// The level for an exposure share and minimal hop.
    public func level(share: Double, minimalHop: Int?) -> String {
        for level in levels {
            if let minShare = level.minShare, share >= minShare, share > 0 { return level.name }
            if let maxHop = level.maxHop, let hop = minimalHop, hop <= maxHop { return level.name }
        }
        return defaultLevel
    }

    /// The level of a report.
    public func level(of report: ExposureReport) -> String { level(share: report.share, minimalHop: report.minimalHop) }

    /// Loads levels from a JSON file; `path == nil` gives the defaults.
    public static func load(path: String?) throws -> RiskLevels {
        guard let path else { return .defaults }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RiskLevelsError(path: path, reason: "cannot read the file: \(error.localizedDescription)")
        }
        let levels: RiskLevels
        do {
            levels = try JSONDecoder().decode(RiskLevels.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw RiskLevelsError(path: path, reason: "missing \"\(key.stringValue)\" at \(Self.path(context))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw RiskLevelsError(path: path, reason: "\(context.debugDescription) at \(Self.path(context))")
        } catch let DecodingError.dataCorrupted(context) {
            throw RiskLevelsError(path: path, reason: "not valid JSON: \(context.debugDescription)")
        } catch {
            throw RiskLevelsError(path: path, reason: "\(error)")
        }
        guard levels.version == 1 else {
            throw RiskLevelsError(path: path, reason: "version \(levels.version); expected 1")
        }
        for level in levels.levels {
            if let share = level.minShare, !(0...1).contains(share) {
                throw RiskLevelsError(path: path, reason: "level \(level.name): minShare \(share) is not in 0…1")
            }
            if let hop = level.maxHop, hop < 0 {
                throw RiskLevelsError(path: path, reason: "level \(level.name): maxHop \(hop) is negative")
            }
        }
        return levels
    }

    static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty
            ? "the top level"
            : context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// A risk-levels file that cannot be used.
public struct RiskLevelsError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
