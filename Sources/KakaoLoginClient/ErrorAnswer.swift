/// A documented error answer: its status and its body, the error envelope.
protocol ErrorAnswer: Sendable {
    /// The HTTP status of this kind of answer.
    static var status: Int { get }
    /// The body.
    var envelope: Components.Schemas._Error { get throws }
    /// `Retry-After`, where the answer has it.
    var retryAfter: Int? { get }
}

extension ErrorAnswer {
    var retryAfter: Int? { nil }
}

extension Components.Responses.BadRequest: ErrorAnswer {
    static var status: Int { 400 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.Unauthorized: ErrorAnswer {
    static var status: Int { 401 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Operations.GetMe.Output.Unauthorized: ErrorAnswer {
    static var status: Int { 401 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.Forbidden: ErrorAnswer {
    static var status: Int { 403 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.NotFound: ErrorAnswer {
    static var status: Int { 404 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.Conflict: ErrorAnswer {
    static var status: Int { 409 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.PayloadTooLarge: ErrorAnswer {
    static var status: Int { 413 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.UnsupportedMediaType: ErrorAnswer {
    static var status: Int { 415 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.TooManyRequests: ErrorAnswer {
    static var status: Int { 429 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
    var retryAfter: Int? { headers.retryAfter }
}

extension Components.Responses.InternalError: ErrorAnswer {
    static var status: Int { 500 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
}

extension Components.Responses.ServiceUnavailable: ErrorAnswer {
    static var status: Int { 503 }
    var envelope: Components.Schemas._Error { get throws { try body.json } }
    var retryAfter: Int? { headers.retryAfter }
}
