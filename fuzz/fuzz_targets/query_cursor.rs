//! Query cursors: the `cursor` a client sends back to `query_records` is looked up in the store.
//! A cursor continues only for its own person, only as issued, and only once; a tampered,
//! made-up, or expired cursor finds nothing, and looking one up never panics.

#![no_main]

use std::sync::{Mutex, OnceLock};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use salesforce_mcp::store::cursors::{self, CursorRow};
use salesforce_mcp::store::{self, Store, users};
use salesforce_mcp_fuzz::{Edit, apply_text};

/// A cursor id as `query_records` issues them (a v4 UUID, simple form).
const ISSUED: &str = "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e";
/// A cursor of the same person that has expired.
const EXPIRED: &str = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";

#[derive(Arbitrary, Debug)]
enum Who {
    Owner,
    Someone,
    Anyone(i64),
}

#[derive(Arbitrary, Debug)]
enum Token {
    Issued(Vec<Edit>),
    Expired(Vec<Edit>),
    MadeUp(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    who: Who,
    token: Token,
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    owner: i64,
    someone: i64,
}

fn row(id: &str, user_id: i64, expires_at: String) -> CursorRow {
    CursorRow {
        id: id.to_owned(),
        user_id,
        soql: format!("SELECT Id FROM Account -- {id}"),
        buffered_rows: "[{\"Id\":\"001000000000001AAA\"}]".to_owned(),
        next_records_url: Some("/services/data/v66.0/query/01g-2000".to_owned()),
        total_size: 3000,
        returned: 200,
        expires_at,
    }
}

/// An expiry `minutes` from now, as the store writes it.
fn in_minutes(minutes: i64) -> String {
    store::timestamp(chrono::Utc::now() + chrono::Duration::minutes(minutes))
}

/// Puts both cursors back as issued (a successful take deletes them).
fn reset(f: &Fixture) {
    f.store
        .call_sync(|c| {
            for id in [ISSUED, EXPIRED] {
                c.execute("DELETE FROM query_cursors WHERE id = ?1", &[&id])?;
            }
            cursors::insert(c, &row(ISSUED, f.owner, in_minutes(15)))?;
            cursors::insert(c, &row(EXPIRED, f.owner, in_minutes(-1)))
        })
        .expect("reset the cursors");
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(&dir.path().join("fuzz.db")).expect("open the store");
        let (owner, someone) = store
            .call_sync(|c| {
                let owner = users::insert(c, "owner@example.com", false)?.id;
                let someone = users::insert(c, "someone@example.com", false)?.id;
                Ok((owner, someone))
            })
            .expect("create two people");
        let f = Fixture {
            _dir: dir,
            store,
            owner,
            someone,
        };
        reset(&f);
        Mutex::new(f)
    })
}

fuzz_target!(|input: Input| {
    let f = fixture().lock().expect("fixture lock");
    let user = match input.who {
        Who::Owner => f.owner,
        Who::Someone => f.someone,
        Who::Anyone(id) => id,
    };
    let token = match &input.token {
        Token::Issued(edits) => apply_text(ISSUED, edits),
        Token::Expired(edits) => apply_text(EXPIRED, edits),
        Token::MadeUp(text) => Some(text.clone()),
    };
    let Some(token) = token else {
        return;
    };
    let lookup = token.clone();
    let found = f
        .store
        .call_sync(move |c| cursors::take(c, &lookup, user, None))
        .expect("the lookup itself never fails");
    let genuine = token == ISSUED && user == f.owner;
    match found {
        Some(found) => {
            assert!(genuine, "cursor {token:?} continued for person {user}");
            assert_eq!(found, row(ISSUED, f.owner, found.expires_at.clone()));
            // Used once: a second take finds nothing.
            let again = f
                .store
                .call_sync(|c| cursors::take(c, ISSUED, f.owner, None))
                .expect("the second lookup");
            assert!(again.is_none(), "a cursor continued twice");
        }
        None => assert!(!genuine, "the genuine cursor was not found"),
    }
    if token == ISSUED || token == EXPIRED {
        reset(&f);
    }
});
