extension Substring {
    /// Without the spaces and tabs around it (HTTP's optional white space, RFC 9110 §5.6.3), as
    /// a header's list element or parameter is read. Pure Swift: it runs on every request, and
    /// Foundation's `trimmingCharacters(in:)` goes through `NSString`.
    func trimmingHTTPWhitespace() -> Substring {
        let isWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isWhitespace($0) }), let last = utf8.lastIndex(where: { !isWhitespace($0) })
        else { return self[endIndex...] }
        // Both ends fall on characters: what lies around them is ASCII.
        return self[first..<utf8.index(after: last)]
    }
}
