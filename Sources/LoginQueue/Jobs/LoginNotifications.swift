/// The `LISTEN`/`NOTIFY` channels between the API and the workers.
public enum LoginNotifications {
    /// Jobs were enqueued: workers listen; the payload is empty.
    public static let jobsChannel = "login_jobs"
    /// A login ended (succeeded or failed): the API listens; the payload is the `login_id`.
    public static let doneChannel = "login_done"
}
