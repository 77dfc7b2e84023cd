import EmulatorSupport
import Hummingbird

/// Reads the parameters of a backend call (query, plus a form body on POST when asked) with
/// Google's answers for what cannot be read: the front end's 413 page for a body over the limit,
/// `invalid_request` for bad escapes, bytes that are not UTF-8, or a parameter given twice.
enum GoogleForm {
    static func read(_ request: Request, includeBody: Bool) async -> Result<FormParameters, OAuthFailure> {
        switch await RequestForm.read(request, includeBody: includeBody) {
        case .success(let form): .success(form)
        case .failure(.tooLarge): .failure(OAuthFailure(response: tooLarge))
        case .failure(.malformed(let reason)):
            .failure(OAuthFailure(response: GoogleResponses.oauth(.invalidRequest("Invalid request: \(reason)."))))
        }
    }

    /// The answer to a form that breaks a rule found while reading one parameter.
    static func answer(_ failure: FormParameters.Failure) -> Response {
        GoogleResponses.oauth(.invalidRequest("Invalid request: \(RequestForm.describe(failure))."))
    }

    static var tooLarge: Response { GoogleResponses.frontEndPage(status: 413, message: "Your client issued a request that was too large.") }

    /// A request that cannot be read, with its answer.
    struct OAuthFailure: Error {
        let response: Response
    }
}
