//! Facts about condition keys that the parser's warnings, the evaluator's callers and the
//! comparator share: which keys are multi-valued (SEMANTICS §4.3).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

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
    let lower = key.to_ascii_lowercase();
    MULTI_VALUED.contains(&lower.as_str()) || SAML_MULTI_VALUED.contains(&lower.as_str())
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
}
