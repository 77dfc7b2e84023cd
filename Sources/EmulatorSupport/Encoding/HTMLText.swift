/// Escapes text for HTML element content and double-quoted attribute values.
package enum HTMLText {
    package static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output.append("&amp;")
            case "<": output.append("&lt;")
            case ">": output.append("&gt;")
            case "\"": output.append("&quot;")
            case "'": output.append("&#39;")
            default: output.append(character)
            }
        }
        return output
    }
}
