//! Sealed tokens: the `requestState` that `confirm_change` hands out and the secrets sealed at
//! rest. Opening never panics; a state opens only as sealed, for the person and change it was
//! sealed for, and a sealed secret only unaltered; any other text is refused.
//!
//! The fuzzer sees the comparisons the target makes, so it can learn a state sealed a moment
//! ago and send it back. That is a genuine state (for its person and change, until it expires),
//! so the target keeps what it sealed in the last seconds and accepts exactly those.

#![no_main]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rmcp::model::RequestStateCodec;
use salesforce_mcp::fuzzing::{request_state_is_for, seal_request_state};
use salesforce_mcp::secrets::Sealer;
use salesforce_mcp_fuzz::{Edit, apply, apply_text};
use secrecy::ExposeSecret as _;

#[derive(Arbitrary, Debug)]
struct Input {
    user: i64,
    change: String,
    other_user: i64,
    other_change: String,
    edits: Vec<Edit>,
    made_up: String,
    secret: String,
    secret_edits: Vec<Edit>,
    made_up_sealed: Vec<u8>,
}

fn codec() -> &'static RequestStateCodec {
    static CODEC: OnceLock<RequestStateCodec> = OnceLock::new();
    CODEC.get_or_init(|| RequestStateCodec::try_new([0x5a; 32]).expect("a 32-byte key"))
}

fn sealer() -> &'static Sealer {
    static SEALER: OnceLock<Sealer> = OnceLock::new();
    SEALER.get_or_init(|| Sealer::from_key(&[0x3c; 32]))
}

/// How long the states sealed here live.
const TTL: Duration = Duration::from_secs(1);

/// Every state sealed in the last seconds: token -> (person, change, when).
type Sealed = HashMap<String, (i64, String, Instant)>;

fn sealed() -> &'static Mutex<Sealed> {
    static SEALED: OnceLock<Mutex<Sealed>> = OnceLock::new();
    SEALED.get_or_init(|| Mutex::new(HashMap::new()))
}

fn seal(user: i64, change: &str) -> String {
    let state = seal_request_state(codec(), user, change, TTL);
    let mut all = sealed().lock().expect("sealed lock");
    if all.len() > 200_000 {
        all.retain(|_, (_, _, at)| at.elapsed() < TTL * 2);
    }
    all.insert(state.clone(), (user, change.to_owned(), Instant::now()));
    state
}

/// `state` opens for (user, change) only when it was sealed here for exactly them.
fn check_opens_only_as_sealed(state: &str, user: i64, change: &str) {
    if request_state_is_for(codec(), state, user, change) {
        let all = sealed().lock().expect("sealed lock");
        let genuine = all
            .get(state)
            .is_some_and(|(u, c, _)| *u == user && c == change);
        assert!(
            genuine,
            "state {state:?} opened for ({user}, {change:?}) but was not sealed for them"
        );
    }
}

fn check_request_state(input: &Input) {
    let codec = codec();
    let (user, change) = (input.user, input.change.as_str());
    let state = seal(user, change);
    assert!(request_state_is_for(codec, &state, user, change));
    let other = (input.other_user, input.other_change.as_str());
    check_opens_only_as_sealed(&state, other.0, other.1);
    if let Some(tampered) = apply_text(&state, &input.edits) {
        check_opens_only_as_sealed(&tampered, user, change);
        check_opens_only_as_sealed(&tampered, other.0, other.1);
    }
    check_opens_only_as_sealed(&input.made_up, user, change);
    check_opens_only_as_sealed(&input.made_up, other.0, other.1);
    let expired = seal_request_state(codec, user, change, Duration::ZERO);
    let _ = request_state_is_for(codec, &expired, user, change);
}

fn check_sealed_secret(input: &Input) {
    let sealer = sealer();
    let sealed = sealer.seal(&input.secret);
    let opened = sealer.open(&sealed).map(|s| s.expose_secret().to_owned());
    assert_eq!(opened.ok().as_deref(), Some(input.secret.as_str()));
    let tampered = apply(&sealed, &input.secret_edits);
    if tampered != sealed {
        assert!(sealer.open(&tampered).is_err(), "tampered secret opened");
    }
    assert!(
        sealer.open(&input.made_up_sealed).is_err(),
        "made-up secret opened"
    );
}

fuzz_target!(|input: Input| {
    check_request_state(&input);
    check_sealed_secret(&input);
});
