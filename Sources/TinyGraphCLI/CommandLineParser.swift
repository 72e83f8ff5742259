/// A small command-line parser for `tinygraph`: subcommands, positional
/// arguments, `--option value` / `--option=value` (repeatable where declared) and
/// `--flag`, with generated `--help`. (swift-argument-parser was measured to add
/// about 4 MB to the resident memory of every run; this CLI is also a memory tool.)
struct CommandSpec {
    struct Argument {
        var name: String
        var help: String
    }

    struct Option {
        var name: String
        var valueName: String?  // nil: a flag
        var help: String
        var repeatable = false
    }

    var name: String
    var abstract: String
    var discussion: String = ""
    var arguments: [Argument] = []
    var options: [Option] = []

    var usage: String {
        var text = "tinygraph \(name)"
        for argument in arguments { text += " \(argument.name.uppercased())" }
        for option in options {
            let item = option.valueName.map { "--\(option.name) <\($0)>" } ?? "--\(option.name)"
            text += " [\(item)]\(option.repeatable ? " ..." : "")"
        }
        return text
    }

    var help: String {
        var lines = ["OVERVIEW: \(abstract)", ""]
        if !discussion.isEmpty { lines += [discussion, ""] }
        lines += ["USAGE: \(usage)", ""]
        if !arguments.isEmpty {
            lines.append("ARGUMENTS:")
            for argument in arguments { lines.append("  \(pad(argument.name.uppercased(), 24)) \(argument.help)") }
            lines.append("")
        }
        lines.append("OPTIONS:")
        for option in options {
            let item = option.valueName.map { "--\(option.name) <\($0)>" } ?? "--\(option.name)"
            lines.append("  \(pad(item, 24)) \(option.help)")
        }
        lines.append("  \(pad("-h, --help", 24)) Show help information.")
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + "  " : text + String(repeating: " ", count: width - text.count)
    }
}

/// A command line that does not fit its command's spec.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The parsed command line of one subcommand.
struct ParsedArguments {
    var arguments: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var wantsHelp = false

    init(_ words: ArraySlice<String>, spec: CommandSpec) throws(UsageError) {
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            if word == "-h" || word == "--help" {
                wantsHelp = true
                continue
            }
            guard word.hasPrefix("--"), word.count > 2 else {
                arguments.append(word)
                continue
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option '--\(name)' for 'tinygraph \(spec.name)'")
            }
            guard option.valueName != nil else {
                guard inlineValue == nil else { throw UsageError("'--\(name)' takes no value") }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < words.endIndex else { throw UsageError("'--\(name)' needs a value") }
                value = words[index]
                index += 1
            }
            guard option.repeatable || values[name] == nil else { throw UsageError("'--\(name)' is given more than once") }
            values[name, default: []].append(value)
        }
        guard !wantsHelp else { return }
        guard arguments.count == spec.arguments.count else {
            if arguments.count < spec.arguments.count {
                throw UsageError("missing \(spec.arguments[arguments.count].name.uppercased()); usage: \(spec.usage)")
            }
            throw UsageError("unexpected argument '\(arguments[spec.arguments.count])'; usage: \(spec.usage)")
        }
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func allValues(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = value(name) else { throw UsageError("missing '--\(name)'") }
        return value
    }

    /// An integer option with a default and a lower bound.
    func integer(_ name: String, default defaultValue: Int, atLeast minimum: Int) throws(UsageError) -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), number >= minimum else {
            throw UsageError("--\(name) must be an integer of at least \(minimum), got '\(text)'")
        }
        return number
    }
}
