/**
 * PEM texts for configuration tests: a self-signed CA certificate and an EC private key made for
 * the tests with openssl (trusted by nothing, used by no server). The structure check of
 * `src/config/pem_file.ts` takes them as whole.
 *
 * @module
 */

/** A whole CA certificate. */
export const TEST_CA_PEM: string = `-----BEGIN CERTIFICATE-----
MIIBjjCCATOgAwIBAgIUbajfmq6FbFRhgMooKW/5eeEeKcgwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRYW1wLXBpbG90IHRlc3QgQ0EwHhcNMjYxMjAzMDcxMDUyWhcN
MzYxMTMwMDcxMDUyWjAcMRowGAYDVQQDDBFhbXAtcGlsb3QgdGVzdCBDQTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABLUgK2qTXZ5GXWUzshxIP6wnhfwr8pqw8FtK
umzLx6Ng2bV29xn1Fl27NFN5obY2j//oPiseLGj5zHU8dAW9LmOjUzBRMB0GA1Ud
DgQWBBTqkvceJPJu39UXgC0RDEuiozoCuTAfBgNVHSMEGDAWgBTqkvceJPJu39UX
gC0RDEuiozoCuTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDp
9C/RXN/ycUUOnYn56k3U3dV4k4B/lOCpx1dJ10PtjgIhANV9/r73ds3v/aAyq5h+
LqixETWwvEhTTPHLrE9trC3Y
-----END CERTIFICATE-----
`;

/** A whole EC private key. */
export const TEST_KEY_PEM: string = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIEYwAqzX8x73lRpQaw2BLwk464S9e5FCPC5uSj0rusnroAoGCCqGSM49
AwEHoUQDQgAEtSArapNdnkZdZTOyHEg/rCeF/CvymrDwW0q6bMvHo2DZtXb3GfUW
Xbs0U3mhtjaP/+g+Kx4saPnMdTx0Bb0uYw==
-----END EC PRIVATE KEY-----
`;
