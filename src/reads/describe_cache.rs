//! Describe results cached per connection: reused within the TTL, then revalidated with
//! `If-Modified-Since` (a 304 renews the entry without a new body).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Most describe results kept in memory (all people and objects together).
const MAX_ENTRIES: usize = 2000;

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub fetched: Instant,
    pub last_modified: Option<String>,
    pub body: Arc<Value>,
}

/// The cache: (connection key, object name lower-cased) -> describe body.
#[derive(Debug)]
pub(super) struct DescribeCache {
    ttl: Duration,
    entries: Mutex<HashMap<(String, String), Entry>>,
}

impl DescribeCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    fn key(connection: &str, object: &str) -> (String, String) {
        (connection.to_owned(), object.to_ascii_lowercase())
    }

    /// A fresh entry (within the TTL).
    pub fn fresh(&self, connection: &str, object: &str) -> Option<Arc<Value>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&Self::key(connection, object))
            .filter(|e| e.fetched.elapsed() < self.ttl)
            .map(|e| Arc::clone(&e.body))
    }

    /// A stale entry to revalidate.
    pub fn stale(&self, connection: &str, object: &str) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(&Self::key(connection, object)).cloned()
    }

    /// Stores or renews an entry.
    pub fn put(
        &self,
        connection: &str,
        object: &str,
        body: Arc<Value>,
        last_modified: Option<String>,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // At the size cap, the least recently fetched entry goes.
        if entries.len() >= MAX_ENTRIES {
            let oldest = entries
                .iter()
                .min_by_key(|(_, e)| e.fetched)
                .map(|(k, _)| k.clone());
            if let Some(key) = oldest {
                entries.remove(&key);
            }
        }
        entries.insert(
            Self::key(connection, object),
            Entry {
                fetched: Instant::now(),
                last_modified,
                body,
            },
        );
    }
}
