/// Shows how far long work has got.
///
/// On a terminal the bar is redrawn in place — steps done, items per second, time left and a note
/// such as the running loss — and each ``finish(_:)`` replaces it with a summary line. Elsewhere
/// (CI logs, pipes, files) nothing is drawn between summaries: the output is one plain line per
/// finished stretch, e.g. per epoch.
///
/// ```swift
/// let progress = ProgressBar()
/// progress.begin("epoch 1/5", total: batches.count)
/// for (index, batch) in batches.enumerated() {
///     …
///     progress.update(done: index + 1, items: (index + 1) * 128, note: "loss 0.4127")
/// }
/// progress.finish("epoch 1/5 · loss 0.4127")
/// ```
public final class ProgressBar {
    /// How progress is shown.
    public enum Style: Sendable, Equatable {
        /// A bar redrawn in place (carriage return and erase-line), then the summaries.
        case terminal
        /// The summaries only, one line each.
        case lines
        /// Nothing.
        case silent
    }

    /// How this bar shows progress.
    public let style: Style
    /// The bar's width in characters.
    public var width = 30
    /// What the items are called in the rate (`samples`, `tokens`, `rows`).
    public var unit: String
    private let minimumInterval: Duration
    private let write: (String) -> Void
    private var label = ""
    private var total = 0
    private var start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    /// A bar writing to standard output.
    ///
    /// - Parameters:
    ///   - style: `.terminal` when standard output is a terminal and `.lines` otherwise when `nil`.
    ///   - unit: what the items are (shown as `N unit/s`).
    ///   - minimumInterval: the least time between two redraws (the last step is always drawn).
    ///   - write: where the text goes (when `nil`, standard output through `print`'s buffer, flushed).
    public init(style: Style? = nil, unit: String = "samples", minimumInterval: Duration = .milliseconds(100),
                write: ((String) -> Void)? = nil) {
        self.style = style ?? (Terminal.standardOutputIsTerminal ? .terminal : .lines)
        self.unit = unit
        self.minimumInterval = minimumInterval
        self.write = write ?? Terminal.writeToStandardOutput
    }

    /// Starts a stretch of `total` steps shown as `label` (`epoch 2/5`) and restarts the clock.
    public func begin(_ label: String, total: Int) {
        self.label = label
        self.total = Swift.max(total, 0)
        start = .now
        lastDraw = nil
    }

    /// Reports `done` of the stretch's steps and `items` processed in it so far; on a terminal the
    /// bar is redrawn (at most once per `minimumInterval`, and always at the last step).
    public func update(done: Int, items: Int, note: String? = nil) {
        guard style == .terminal else { return }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < minimumInterval, done < total { return }
        lastDraw = now
        let line = Self.render(label: label, done: done, total: total, items: items, elapsed: Self.seconds(now - start),
                               unit: unit, note: note, width: width)
        write("\r\u{1B}[K" + line)
        drawn = true
    }

    /// Ends the stretch: the bar (if drawn) is erased and `summary`, when given, printed on its own line.
    public func finish(_ summary: String?) {
        guard style != .silent else { return }
        if drawn { write("\r\u{1B}[K") }
        drawn = false
        if let summary { write(summary + "\n") }
    }

    /// The bar's text: `label [=====>    ] done/total · rate unit/s · m:ss left · note` (counts clamped
    /// to `0…total`, a negative width taken as 0).
    public static func render(label: String, done: Int, total: Int, items: Int, elapsed: Double, unit: String = "samples",
                              note: String? = nil, width: Int = 30) -> String {
        let width = Swift.max(width, 0), total = Swift.max(total, 0)
        let clamped = Swift.min(Swift.max(done, 0), total)
        let filled = total > 0 ? Int(Double(width) * Double(clamped) / Double(total)) : width
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: Swift.max(0, width - filled - 1))
        var parts = ["\(label) [\(bar)] \(clamped)/\(total)"]
        if elapsed > 0 {
            parts.append("\(saturating(Double(Swift.max(items, 0)) / elapsed)) \(unit)/s")
            if clamped > 0 { parts.append("\(clock(elapsed / Double(clamped) * Double(total - clamped))) left") }
        }
        if let note { parts.append(note) }
        return parts.joined(separator: " · ")
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func clock(_ seconds: Double) -> String {
        let total = saturating(seconds.rounded()), hours = total / 3600, minutes = total / 60 % 60, rest = total % 60
        let padded = rest < 10 ? "0\(rest)" : "\(rest)"
        if hours > 0 { return "\(hours):\(minutes < 10 ? "0" : "")\(minutes):\(padded)" }
        return "\(minutes):\(padded)"
    }

    /// `value` as an `Int`, rounded toward zero and held within `0…Int.max` (NaN as 0).
    static func saturating(_ value: Double) -> Int {
        guard value.isFinite || value == .infinity, value > 0 else { return 0 }
        return value >= Double(Int.max) ? Int.max : Int(value)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
