//! Facts about condition keys that the parser's warnings, the evaluator's callers and the
//! comparator share: which keys are multi-valued (SEMANTICS §4.3).

/// Keys that can carry several values in one request (SEMANTICS §4.3). Compared
/// case-insensitively. OIDC `aud` is left out on purpose: it is single- or multi-valued
/// depending on the identity provider.
const MULTI_VALUED: &[&str] = &[
    "aws:tagkeys",
    "sts:transitivetagkeys",
    "aws:principalorgpaths",
    "aws:sourceorgpaths",
    "aws:calledvia",
    "aws:principalservicenameslist",
    "cognito-identity.amazonaws.com:amr",
    "sts:requestcontextproviders",
    "sts:identitytokenaudience",
];

/// SAML attributes typed `ArrayOfString` (SEMANTICS §5.3).
const SAML_MULTI_VALUED: &[&str] = &[
    "saml:edupersonaffiliation",
    "saml:edupersonassurance",
    "saml:edupersonentitlement",
    "saml:edupersonnickname",
    "saml:edupersonorgunitdn",
    "saml:edupersonprimaryaffiliation",
    "saml:edupersonprimaryorgunitdn",
    "saml:edupersonprincipalname",
    "saml:edupersonscopedaffiliation",
    "saml:edupersontargetedid",
    "saml:cn",
    "saml:commonname",
    "saml:givenname",
    "saml:surname",
    "saml:mail",
    "saml:name",
    "saml:uid",
    "saml:organizationstatus",
    "saml:primarygroupsid",
];

/// True when `key` is documented as multi-valued.
pub fn is_multi_valued(key: &str) -> bool {
    with_lower(key, |lower| {
        MULTI_VALUED.contains(&lower) || SAML_MULTI_VALUED.contains(&lower)
    })
}

/// `f` of `key` in ASCII lower case, without allocating for a key of up to 128 bytes (every
/// key IAM documents is shorter): the comparator asks about keys in its inner loops.
pub fn with_lower<T>(key: &str, f: impl FnOnce(&str) -> T) -> T {
    let mut buf = [0u8; 128];
    if let Some(slot) = buf.get_mut(..key.len()) {
        slot.copy_from_slice(key.as_bytes());
        slot.make_ascii_lowercase();
        // ASCII case changes keep UTF-8 valid; the check is what proves it to the compiler.
        if let Ok(lower) = std::str::from_utf8(slot) {
            return f(lower);
        }
    }
    f(&key.to_ascii_lowercase())
}

/// How many values a key can carry in one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Exactly one value when present (`sts:ExternalId`, `aws:PrincipalArn`, an OIDC `sub`).
    Single,
    /// A set of values (`aws:TagKeys`, `aws:PrincipalOrgPaths`, ...).
    Multi,
    /// Not documented either way: the analysis tries both.
    Either,
}

/// SAML keys documented as one string (the rest of the `saml:` keys are attributes that an
/// identity provider may send as a list).
const SAML_SINGLE_VALUED: &[&str] = &[
    "saml:aud",
    "saml:sub",
    "saml:iss",
    "saml:namequalifier",
    "saml:sub_type",
    "saml:doc",
];

/// The arity of `key`. Every global (`aws:`) and STS (`sts:`) key that the documentation does
/// not list as multi-valued holds one value; an OIDC claim holds one value except `aud` and
/// `amr`, which an identity provider may send as a list. Anything else (other services'
/// keys, SAML attributes not documented as strings) may be either, and is analysed as both:
/// the reading that finds more access.
pub fn arity(key: &str) -> Arity {
    with_lower(key, |lower| {
        if is_multi_valued(lower) {
            return Arity::Multi;
        }
        if lower.starts_with("aws:") || lower.starts_with("sts:") {
            return Arity::Single;
        }
        if lower.starts_with("saml:") {
            return if SAML_SINGLE_VALUED.contains(&lower) {
                Arity::Single
            } else {
                Arity::Either
            };
        }
        match claim_key(lower) {
            Some((_, "aud" | "amr")) => Arity::Either,
            Some(_) => Arity::Single,
            None => Arity::Either,
        }
    })
}

/// A web-identity claim key `ISSUER:CLAIM` split into issuer and claim (`ISSUER` is the
/// provider URL without `https://`; it always holds a dot, which no service prefix does).
pub fn claim_key(key: &str) -> Option<(&str, &str)> {
    let (issuer, claim) = key.split_once(':')?;
    (issuer.contains('.') && !claim.is_empty()).then_some((issuer, claim))
}

/// Keys that hold one value per request and are commonly (mis)used with `ForAllValues`.
/// Anything not known to be multi-valued is treated as single-valued for that warning.
pub fn is_single_valued(key: &str) -> bool {
    !is_multi_valued(key) && !key.to_ascii_lowercase().ends_with(":aud")
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn tag_keys_are_multi_valued_in_any_case() {
        assert!(is_multi_valued("aws:TagKeys"));
        assert!(is_multi_valued("AWS:TAGKEYS"));
        assert!(!is_multi_valued("sts:ExternalId"));
        assert!(is_single_valued("sts:ExternalId"));
        assert!(!is_single_valued("accounts.google.com:aud"));
    }

    #[test]
    fn arity_of_global_claim_and_other_keys() {
        assert_eq!(arity("sts:ExternalId"), Arity::Single);
        assert_eq!(arity("aws:SourceArn"), Arity::Single);
        assert_eq!(arity("aws:PrincipalTag/team"), Arity::Single);
        assert_eq!(arity("aws:TagKeys"), Arity::Multi);
        assert_eq!(
            arity("token.actions.githubusercontent.com:sub"),
            Arity::Single
        );
        assert_eq!(
            arity("token.actions.githubusercontent.com:aud"),
            Arity::Either
        );
        assert_eq!(arity("cognito-identity.amazonaws.com:amr"), Arity::Multi);
        assert_eq!(arity("saml:sub"), Arity::Single);
        assert_eq!(arity("saml:department"), Arity::Either);
        assert_eq!(arity("ec2:SourceInstanceARN"), Arity::Either);
        assert_eq!(
            claim_key("oidc.circleci.com/org/o1:oidc.circleci.com/project-id"),
            Some(("oidc.circleci.com/org/o1", "oidc.circleci.com/project-id"))
        );
        assert_eq!(claim_key("aws:SourceIp"), None);
    }

    /// Keys are lowered alike on the stack and, past its 128 bytes, on the heap; non-ASCII
    /// characters stay as they are.
    #[test]
    fn keys_are_lowered_alike_at_every_length() {
        let long = format!("AWS:PrincipalTag/{}", "Ab".repeat(100));
        for key in ["aws:SourceIp", "SAML:Aud", "Ünïcode:Clé", "", long.as_str()] {
            assert_eq!(
                with_lower(key, str::to_string),
                key.to_ascii_lowercase(),
                "{key}"
            );
        }
        let edge = "K".repeat(128);
        assert_eq!(with_lower(&edge, str::to_string), "k".repeat(128));
        assert!(is_multi_valued("AWS:TagKeys"));
        assert_eq!(arity("STS:ExternalId"), Arity::Single);
    }
}
