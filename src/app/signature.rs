//! Webhook signatures: `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw body
//! under the App's webhook secret. It is checked on the bytes as received, before anything
//! parses them, and compared in constant time (`Mac::verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a delivery's signature was refused (for the log line; the answer is 401 either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No `X-Hub-Signature-256` header.
    Missing,
    /// Not `sha256=` and 64 hex digits.
    Malformed,
    /// A well-formed signature that does not match.
    Mismatch,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Missing => "no X-Hub-Signature-256 header",
            Refused::Malformed => "X-Hub-Signature-256 is not sha256=<64 hex digits>",
            Refused::Mismatch => "X-Hub-Signature-256 does not match the body",
        }
    }
}

/// Checks `header` (the `X-Hub-Signature-256` value) against `body` under `secret`.
pub fn verify(secret: &[u8], header: Option<&[u8]>, body: &[u8]) -> Result<(), Refused> {
    let header = header.ok_or(Refused::Missing)?;
    let hex_digits = header.strip_prefix(b"sha256=").ok_or(Refused::Malformed)?;
    let mut expected = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut expected).map_err(|_| Refused::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Refused::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| Refused::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's published test vector ("Validating webhook deliveries").
    const SECRET: &[u8] = b"It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const SIGNATURE: &[u8] =
        b"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn githubs_test_vector_verifies() {
        assert_eq!(verify(SECRET, Some(SIGNATURE), BODY), Ok(()));
    }

    #[test]
    fn a_changed_body_secret_or_digit_is_a_mismatch() {
        assert_eq!(
            verify(SECRET, Some(SIGNATURE), b"Hello, World?"),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(b"another secret", Some(SIGNATURE), BODY),
            Err(Refused::Mismatch)
        );
        let mut flipped = SIGNATURE.to_vec();
        *flipped.last_mut().unwrap() = b'1';
        assert_eq!(verify(SECRET, Some(&flipped), BODY), Err(Refused::Mismatch));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        assert_eq!(verify(SECRET, None, BODY), Err(Refused::Missing));
        for bad in [
            &b"757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"[..],
            b"sha1=757107ea0eb2509fc211221cce984b8a37570b6d",
            b"sha256=757107ea",
            b"sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c30b4ff5f82e57770",
            b"",
        ] {
            assert_eq!(verify(SECRET, Some(bad), BODY), Err(Refused::Malformed));
        }
    }
}
