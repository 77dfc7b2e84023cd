/// Unix seconds as the text providers write, without a date formatter (days-from-civil
/// arithmetic, proleptic Gregorian calendar): Kakao's `2022-04-11T01:45:28Z` and the HTTP date
/// of Google's `Expires` headers, `Mon, 11 Apr 2022 01:45:28 GMT`.
package struct UTCText {
    private let year: Int64
    private let month: Int64
    private let day: Int64
    private let secondsOfDay: Int64
    private let daysSinceEpoch: Int64

    private init(unixSeconds: Int64) {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        secondsOfDay = unixSeconds - days * 86_400
        daysSinceEpoch = days
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private var time: String {
        "\(Self.two(secondsOfDay / 3600)):\(Self.two(secondsOfDay / 60 % 60)):\(Self.two(secondsOfDay % 60))"
    }

    /// `2022-04-11T01:45:28Z`.
    package static func iso8601(unixSeconds: Int64) -> String {
        let date = UTCText(unixSeconds: unixSeconds)
        return "\(date.year)-\(two(date.month))-\(two(date.day))T\(date.time)Z"
    }

    /// `Mon, 11 Apr 2022 01:45:28 GMT` (RFC 9110 IMF-fixdate).
    package static func httpDate(unixSeconds: Int64) -> String {
        let date = UTCText(unixSeconds: unixSeconds)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((date.daysSinceEpoch % 7) + 7) % 7)]
        return "\(weekday), \(two(date.day)) \(months[Int(date.month - 1)]) \(date.year) \(date.time) GMT"
    }
}
