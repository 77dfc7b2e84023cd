/// A self-signed P-256 certificate for `localhost` and 127.0.0.1, valid until 2126, and its key:
/// only for the tests' TLS server, which a client trusts by adding this certificate as a root.
enum TestCertificate {
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBnDCCAUGgAwIBAgIUSJOdNxda2QkAdtWMMhX9554CB4swCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzAxNTQ0M1oYDzIxMjYxMTEz
        MDE1NDQzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAATfCVa4rqSrT9oIVGLgIamLlU6ie2gC3K/mF1dR7fkxi0KajtPMj+Mn
        1sPSqv+a69PuAvhOtn+hQV4pF3Nzq5eRo28wbTAdBgNVHQ4EFgQUwuKmDKvttsrA
        bJoXsxdXq91dHK8wHwYDVR0jBBgwFoAUwuKmDKvttsrAbJoXsxdXq91dHK8wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDSQAwRgIhAI4kvsUoFKEGpI8XhYRnv3Vc+fIOOkZQS5VIEzXeMdwSAiEA
        j6zJwMQkRhp5mwk0YoPgbCZHDeIlkrKT2WGtt2rGBlM=
        -----END CERTIFICATE-----
        """

    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfEoz4JyOgOM5rreI
        5uzr293jOA7WN1EoUAQ/gld3X+uhRANCAATfCVa4rqSrT9oIVGLgIamLlU6ie2gC
        3K/mF1dR7fkxi0KajtPMj+Mn1sPSqv+a69PuAvhOtn+hQV4pF3Nzq5eR
        -----END PRIVATE KEY-----
        """
}
