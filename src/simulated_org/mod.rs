//! An in-process Salesforce org (OAuth + REST subset + sample data) for the demo and the tests.

pub mod data;
