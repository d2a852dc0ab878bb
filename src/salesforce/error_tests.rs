//! Tests of `error.rs`.

use super::*;

#[test]
fn a_uri_too_long_is_not_retried_and_says_the_limit() {
    for status in [414, 431] {
        let e = from_response(status, "<html>414 Request-URI Too Long</html>");
        assert!(!e.is_retryable(), "{e:?}");
        assert!(e.to_string().contains("16384"), "{e}");
    }
}
use SalesforceError as E;
use proptest::prelude::*;

const CARET_QUERY: &str = r#"[{"message":"\nSELECT Id, FROM Bar__c\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'","errorCode":"MALFORMED_QUERY"}]"#;

#[test]
fn expired_session_is_session_expired() {
    let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
    let err = from_response(401, body);
    assert_eq!(
        err,
        E::SessionExpired {
            message: "Session expired or invalid".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "Salesforce did not accept the session: Session expired or invalid"
    );
    assert!(!err.is_retryable());
}

#[test]
fn bad_oauth_token_text_is_session_expired() {
    for body in [
        "Bad_OAuth_Token",
        "Bad_OAuth_Token\n",
        "Missing_OAuth_Token",
    ] {
        assert!(
            matches!(from_response(403, body), E::SessionExpired { .. }),
            "{body:?}"
        );
    }
}

#[test]
fn oauth_error_object_is_read() {
    let body = r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
    assert_eq!(
        from_response(400, body),
        E::SessionExpired {
            message: "invalid_grant: expired access/refresh token".into()
        }
    );
    let body = r#"{"error":"inactive_user","error_description":"user is inactive"}"#;
    assert_eq!(from_response(400, body).code(), Some("inactive_user"));
}

#[test]
fn malformed_query_keeps_the_caret_lines_verbatim() {
    let err = from_response(400, CARET_QUERY);
    let message = "\nSELECT Id, FROM Bar__c\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'";
    assert_eq!(
        err,
        E::InvalidQuery {
            code: "MALFORMED_QUERY".into(),
            message: message.into()
        }
    );
    assert_eq!(
        err.to_string(),
        format!("Salesforce could not run the query (MALFORMED_QUERY): {message}")
    );
}

#[test]
fn invalid_field_in_a_query_is_an_invalid_query() {
    let body = r#"[{"message":"\nSELECT Id, Dispenser__c FROM Audit_Answer__c\n           ^\nERROR at Row:1:Column:12\nNo such column 'Dispenser__c' on entity 'Audit_Answer__c'.","errorCode":"INVALID_FIELD"}]"#;
    assert!(
        matches!(from_response(400, body), E::InvalidQuery { code, .. } if code == "INVALID_FIELD")
    );
}

#[test]
fn invalid_field_on_write_is_an_invalid_field() {
    let body = r#"[{"message":"No such column 'foo' on sobject of type Bar","errorCode":"INVALID_FIELD"}]"#;
    let err = from_response(400, body);
    assert!(
        matches!(&err, E::InvalidField { message, .. } if message == "No such column 'foo' on sobject of type Bar")
    );
    assert_eq!(err.code(), Some("INVALID_FIELD"));
}

#[test]
fn unknown_object_is_unknown_object() {
    let body =
        r#"[{"message":"sObject type 'Foo__c' is not supported.","errorCode":"INVALID_TYPE"}]"#;
    assert!(matches!(from_response(400, body), E::UnknownObject { .. }));
}

#[test]
fn not_found_and_deleted_records() {
    let body = r#"[{"message":"Provided external ID field does not exist or is not accessible: 23foo","errorCode":"NOT_FOUND"}]"#;
    assert!(matches!(from_response(404, body), E::NotFound { code, .. } if code == "NOT_FOUND"));
    let body = r#"[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]"#;
    assert!(matches!(from_response(404, body), E::NotFound { .. }));
    assert!(matches!(from_response(400, body), E::Rejected { .. }));
    let body = r#"[{"message":"Invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]"#;
    assert!(matches!(from_response(404, body), E::NotFound { .. }));
}

#[test]
fn limits_and_permissions() {
    let body =
        r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
    let err = from_response(403, body);
    assert_eq!(
        err,
        E::LimitExceeded {
            message: "TotalRequests Limit exceeded.".into()
        }
    );
    assert!(!err.is_retryable());
    for (status, code) in [
        (403, "API_DISABLED_FOR_ORG"),
        (403, "API_CURRENTLY_DISABLED"),
        (400, "INSUFFICIENT_ACCESS_OR_READONLY"),
        (403, "SOMETHING_NEW"),
    ] {
        let body = format!(r#"[{{"message":"no","errorCode":"{code}"}}]"#);
        assert!(
            matches!(from_response(status, &body), E::PermissionDenied { .. }),
            "{code}"
        );
    }
}

#[test]
fn refused_data_is_rejected_with_fields() {
    let body = r#"[{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}]"#;
    let err = from_response(400, body);
    assert_eq!(
        err.to_string(),
        "Salesforce refused the data (REQUIRED_FIELD_MISSING on LastName): Required fields are missing: [LastName]"
    );
    let body = r#"[{"fields":["Id"],"message":"Account ID: id value of incorrect type: 001900K0001pPuOAAU","errorCode":"MALFORMED_ID"}]"#;
    assert!(matches!(from_response(400, body), E::Rejected { fields, .. } if fields == ["Id"]));
}

#[test]
fn duplicate_result_body_is_tolerated() {
    let body = r#"[{"duplicateResut":{"allowSave":true,"duplicateRule":"Standard_Contact_Duplicate_Rule","duplicateRuleEntityType":"Contact","errorMessage":"You're creating a duplicate record. We recommend you use an existing record instead.","matchResults":[{"entityType":"Contact","errors":[],"matchEngine":"FuzzyMatchEngine","matchRecords":[{"additionalInformation":[],"fieldDiffs":[],"matchConfidence":100.0,"record":{"attributes":{"type":"Contact","url":"/services/data/v54.0/sobjects/Contact/0038M0000016Wv8QAE"},"Id":"0038M0000016Wv8QAE"}}],"rule":"Standard_Contact_Match_Rule_v1_1","size":1,"success":true}]},"errorCode":"DUPLICATES_DETECTED","message":"You're creating a duplicate record. We recommend you use an existing record instead."}]"#;
    assert_eq!(
        from_response(400, body),
        E::Rejected {
            code: "DUPLICATES_DETECTED".into(),
            message: "You're creating a duplicate record. We recommend you use an existing record instead.".into(),
            fields: vec![],
        }
    );
}

#[test]
fn collection_item_errors_lead_with_the_real_cause() {
    let body = r#"[{"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK","message":"Record rolled back because not all records were valid and the request was using AllOrNone header","fields":[]}]},
        {"success":false,"errors":[{"statusCode":"DUPLICATES_DETECTED","message":"Use one of these records?","fields":[]}]},
        {"id":"001RM000003oLnnYAE","success":true,"errors":[]}]"#;
    assert_eq!(
        from_response(200, body),
        E::Rejected {
            code: "DUPLICATES_DETECTED".into(),
            message: "Use one of these records?".into(),
            fields: vec![]
        }
    );
}

#[test]
fn single_error_object_and_several_errors() {
    let body = r#"{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}"#;
    assert!(matches!(from_response(404, body), E::NotFound { .. }));
    let body = r#"[{"message":"A","errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","fields":["X"]},{"message":"B","errorCode":"REQUIRED_FIELD_MISSING","fields":["Y"]}]"#;
    assert_eq!(
        from_response(400, body),
        E::Rejected {
            code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
            message: "A\nB".into(),
            fields: vec!["X".into(), "Y".into()]
        }
    );
}

#[test]
fn multiple_upsert_matches_list_the_urls() {
    let body = r#"["/services/data/v23.0/sobjects/Whizbang/foo","/services/data/v23.0/sobjects/Whizbang/bar"]"#;
    let err = from_response(300, body);
    assert_eq!(
        err,
        E::MultipleMatches {
            urls: vec![
                "/services/data/v23.0/sobjects/Whizbang/foo".into(),
                "/services/data/v23.0/sobjects/Whizbang/bar".into()
            ]
        }
    );
    assert!(
        err.to_string()
            .starts_with("The external id matches 2 records")
    );
}

#[test]
fn server_errors_are_retryable() {
    let err = from_response(503, "<html><body>\n  Service   Unavailable </body></html>");
    assert_eq!(
        err,
        E::Unavailable {
            status: 503,
            message: "<html><body> Service Unavailable </body></html>".into()
        }
    );
    assert!(err.is_retryable());
    let body = r#"[{"message":"An unexpected error occurred.","errorCode":"UNKNOWN_EXCEPTION"}]"#;
    assert_eq!(
        from_response(500, body),
        E::Unavailable {
            status: 500,
            message: "UNKNOWN_EXCEPTION: An unexpected error occurred.".into()
        }
    );
    assert!(
        E::Transport {
            message: "timed out".into()
        }
        .is_retryable()
    );
    assert!(
        !E::Unexpected {
            status: 418,
            message: String::new()
        }
        .is_retryable()
    );
}

#[test]
fn unparseable_bodies_keep_a_short_prefix() {
    let err = from_response(418, &"teapot ".repeat(1000));
    let E::Unexpected {
        status: 418,
        message,
    } = err
    else {
        unreachable!("{err:?}")
    };
    assert!(
        message.chars().count() <= MAX_TEXT_CHARS + 1 && message.ends_with('…'),
        "{message}"
    );
    assert!(
        matches!(from_response(502, ""), E::Unavailable { message, .. } if message == "(the response had no body)")
    );
    assert!(matches!(from_response(400, "{}"), E::Unexpected { .. }));
    assert!(matches!(
        from_response(400, "[1, null, {\"x\": 2}]"),
        E::Unexpected { .. }
    ));
}

#[test]
fn huge_messages_are_capped() {
    let body = format!(
        r#"[{{"message":"{}","errorCode":"MALFORMED_QUERY"}}]"#,
        "x".repeat(50_000)
    );
    let err = from_response(400, &body);
    assert!(err.to_string().chars().count() < MAX_MESSAGE_CHARS + 100);
}

#[test]
fn tokens_never_reach_the_message() {
    let session = "00D5g000004ABCD!AQ4AQFmZ3y.Zr9s0kFh5bV_DyFzKx1yW2HmbBJt7yPqjpKfXy";
    let err = from_response(
        400,
        &format!("echo: Authorization: Bearer {session} and {session}!"),
    );
    let text = err.to_string();
    assert!(!text.contains("AQ4AQFmZ3y"), "{text}");
    assert!(
        text.contains("Bearer [redacted]") && text.contains("00D5g000004ABCD![redacted]!"),
        "{text}"
    );
    let body =
        r#"[{"message":"token abc bearer eyJhbGciOiJIUzI1NiJ9.payload.sig","errorCode":"X"}]"#;
    assert!(!from_response(400, body).to_string().contains("eyJhbGci"));
}

proptest! {
    #[test]
    fn from_response_never_panics(status in any::<u16>(), body in any::<String>()) {
        let err = from_response(status, &body);
        prop_assert!(err.to_string().chars().count() < MAX_MESSAGE_CHARS + 200);
    }

    #[test]
    fn from_response_never_panics_on_json_like_bodies(status in 300u16..600, body in r#"[\[\]{}":,a-z_A-Z0-9! ]{0,80}"#) {
        let _ = from_response(status, &body);
    }
}
