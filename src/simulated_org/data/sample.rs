//! The deterministic sample records: the same every start, no randomness.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::derive;
use super::ids::make_id;
use super::objects::{self, STAGES};
use super::store::{Store, Table, format_datetime};

/// Sample users: (first, last, title). The first one owns what the API creates.
pub const USERS: &[(&str, &str, &str)] = &[
    ("Alex", "Morgan", "Sales Director"),
    ("Priya", "Shah", "Account Executive"),
    ("Sam", "Lee", "Support Lead"),
    ("Jordan", "Diaz", "Account Executive"),
];

/// Sample account names, in id order: the first is "Acme Corporation", the second
/// "Acme & Sons {West}".
pub const ACCOUNTS: &[&str] = &[
    "Acme Corporation",
    "Acme & Sons {West}",
    "Globex Industries",
    "Initech",
    "Umbrella Health",
    "Stark Manufacturing",
    "Wayne Logistics",
    "Wonka Confections",
    "Cyberdyne Systems",
    "Soylent Foods",
    "Tyrell Biotech",
    "Hooli",
    "Vandelay Imports",
    "Pied Piper",
    "Massive Dynamic",
    "Oceanic Airlines",
    "Nakatomi Trading",
    "Aperture Science",
    "Black Mesa Research",
    "Gringotts Bank",
    "Dunder Mifflin",
    "Sterling Cooper",
    "Prestige Worldwide",
    "Bluth Company",
    "Los Pollos Hermanos",
    "Monarch Solutions",
    "Blue Sun Corporation",
    "Weyland Energy",
    "Oscorp Labs",
    "Krusty Foods",
    "Virtucon",
    "Gekko & Co",
    "Rekall Travel",
    "Ollivanders Retail",
    "Duff Brewing",
    "Spacely Sprockets",
    "Cogswell Cogs",
    "Northwind Traders",
    "Contoso Education",
    "Fabrikam Construction",
];

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jack", "Kira",
    "Liam", "Maya", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sofia", "Tom", "Uma", "Victor",
    "Wendy", "Yusuf",
];
const LAST: &[&str] = &[
    "Anderson", "Brown", "Chen", "Davis", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
    "Khan", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Smith", "Tanaka",
    "Usman", "Varga", "Wilson", "Xu", "Young", "Zhang", "Baker", "Carter", "Dubois", "Ellis",
];
const INDUSTRIES: &[&str] = &[
    "Technology",
    "Banking",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Energy",
    "Media",
    "Education",
    "Construction",
    "Agriculture",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "USA"),
    ("New York", "NY", "USA"),
    ("Chicago", "IL", "USA"),
    ("London", "", "United Kingdom"),
    ("Berlin", "", "Germany"),
    ("Toronto", "ON", "Canada"),
];
const CASE_SUBJECTS: &[&str] = &[
    "Cannot log in to portal",
    "Invoice shows wrong amount",
    "Shipment arrived damaged",
    "Request for product training",
    "Integration returns errors",
];
const PROJECT_STATUSES: &[&str] = &["Planned", "In Progress", "On Hold", "Completed"];

/// Number of sample records per object.
pub const COUNTS: &[(&str, usize)] = &[
    ("User", 4),
    ("RecordType", 2),
    ("Account", 40),
    ("Contact", 120),
    ("Lead", 30),
    ("Opportunity", 60),
    ("Case", 40),
    ("Project__c", 15),
];

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn date(days_after_jan_1: i64) -> Value {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    Value::from(
        (start + Duration::days(days_after_jan_1))
            .format("%Y-%m-%d")
            .to_string(),
    )
}

/// Email domain of sample account `i`: `acmecorporation.example.com`.
pub fn domain(account: usize) -> String {
    let slug: String = ACCOUNTS[account % ACCOUNTS.len()]
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("{}.example.com", slug.to_lowercase())
}

/// Build the sample org: for each object of [`COUNTS`], in order, that many generated records,
/// created about an hour and a half apart from 2026-01-05 09:00 UTC.
pub fn build() -> Store {
    let objects = objects::all();
    let tables = vec![Table::default(); objects.len()];
    let mut store = Store {
        objects,
        tables,
        last_stamp: base_time(),
        blobs: Default::default(),
        recent: Vec::new(),
    };
    let mut seq = 0i64;
    for (object, count) in COUNTS {
        for i in 0..*count {
            seq += 1;
            let created = base_time() + Duration::minutes(97 * seq);
            insert(&mut store, object, generate(object, i), created);
        }
    }
    super::content::insert_sample(&mut store, base_time() + Duration::minutes(97 * (seq + 1)));
    store
}

fn generate(object: &str, i: usize) -> Value {
    match object {
        "User" => user(i),
        "RecordType" => record_type(i),
        "Account" => account(i),
        "Contact" => contact(i),
        "Lead" => lead(i),
        "Opportunity" => opportunity(i),
        "Case" => case(i),
        _ => project(i),
    }
}

fn user(i: usize) -> Value {
    let (first, last, title) = USERS[i % USERS.len()];
    let login = format!(
        "{}.{}@example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    let alias = format!("{}{}", &first[..1], &last[..4.min(last.len())]).to_lowercase();
    json!({"FirstName": first, "LastName": last, "Title": title, "Username": login,
           "Email": login, "IsActive": true, "Alias": alias})
}

fn record_type(i: usize) -> Value {
    let types = objects::case_record_types();
    let rt = &types[i % types.len()];
    json!({"Name": rt.name, "DeveloperName": rt.developer_name, "SobjectType": "Case", "IsActive": true})
}

fn pick(list: &[&'static str], i: usize) -> &'static str {
    list[i % list.len()]
}

fn user_id(i: usize) -> Value {
    Value::from(make_id("005", (i % USERS.len()) as u64 + 1))
}

fn account_id(i: usize) -> Value {
    Value::from(make_id("001", (i % ACCOUNTS.len()) as u64 + 1))
}

fn account(i: usize) -> Value {
    let (city, state, country) = CITIES[i % CITIES.len()];
    // Accounts 3 and 4 share an account number: upserting by it answers 300 Multiple Choices.
    let number = if i == 3 || i == 4 {
        "ACC-SHARED".to_string()
    } else {
        format!("ACC-{:04}", i + 1)
    };
    json!({
        "Name": ACCOUNTS[i], "Type": pick(&["Customer - Direct", "Prospect", "Partner"], i),
        "Industry": INDUSTRIES[i % INDUSTRIES.len()], "Rating": pick(&["Hot", "Warm", "Cold"], i),
        "AnnualRevenue": ((i * 37 % 50) + 1) as f64 * 250_000.0,
        "NumberOfEmployees": (i * 53 % 900) + 10,
        "Phone": format!("(415) 555-{:04}", 1000 + i), "Website": format!("https://www.{}", domain(i)),
        "BillingStreet": format!("{} Market Street", 100 + i * 7), "BillingCity": city,
        "BillingState": if state.is_empty() { Value::Null } else { Value::from(state) },
        "BillingPostalCode": format!("{:05}", 94000 + i * 11), "BillingCountry": country,
        "Account_Number__c": number, "OwnerId": user_id(i),
        "ParentId": if i == 1 { account_id(0) } else { Value::Null },
    })
}

fn contact(i: usize) -> Value {
    let (first, last) = (FIRST[i % 24], LAST[(i % 24 + 30 - i / 24) % 30]);
    let account = i % ACCOUNTS.len();
    json!({
        "AccountId": account_id(account), "FirstName": first, "LastName": last,
        "Salutation": pick(&["Ms.", "Mr.", "Dr."], i),
        "Title": pick(&["CEO", "CFO", "VP Sales", "IT Manager", "Buyer"], i),
        "Email": format!("{}.{}@{}", first.to_lowercase(), last.to_lowercase(), domain(account)),
        "Phone": format!("(212) 555-{:04}", 2000 + i), "MailingCity": CITIES[i % CITIES.len()].0,
        "MailingCountry": CITIES[i % CITIES.len()].2,
        "LeadSource": pick(&["Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Other"], i),
        "Birthdate": date(-9000 - (i as i64) * 97), "OwnerId": user_id(i),
    })
}

fn lead(i: usize) -> Value {
    let (first, last) = (FIRST[(i + 5) % 24], LAST[(i * 7 + 3) % 30]);
    json!({
        "FirstName": first, "LastName": last, "Company": format!("{} {} Ventures", last, pick(&["North", "South", "East"], i)),
        "Title": pick(&["Owner", "Director", "Manager"], i),
        "Email": format!("{}.{}@lead{}.example.org", first.to_lowercase(), last.to_lowercase(), i + 1),
        "Phone": format!("(312) 555-{:04}", 3000 + i),
        "Status": pick(&["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"], i),
        "LeadSource": pick(&["Web", "Trade Show", "Other"], i), "Industry": INDUSTRIES[i % INDUSTRIES.len()],
        "Rating": pick(&["Hot", "Warm", "Cold"], i), "OwnerId": user_id(i + 1),
    })
}

fn opportunity(i: usize) -> Value {
    let stage = STAGES[i % STAGES.len()].0;
    // Every tenth opportunity has no amount yet.
    let amount = if i % 10 == 9 {
        Value::Null
    } else {
        Value::from(((i * 7919) % 50 + 1) as f64 * 1000.0)
    };
    json!({
        "AccountId": account_id(i), "Name": format!("{} - Deal {}", ACCOUNTS[i % ACCOUNTS.len()], i / 40 + 1),
        "StageName": stage, "CloseDate": date((i as i64) * 6), "Amount": amount,
        "Type": pick(&["New Business", "Existing Business"], i), "LeadSource": pick(&["Web", "Partner Referral"], i),
        "NextStep": pick(&["Send proposal", "Schedule demo", "Follow up"], i), "OwnerId": user_id(i),
    })
}

fn case(i: usize) -> Value {
    let rt = if i % 5 == 4 {
        make_id("012", 2)
    } else {
        make_id("012", 1)
    };
    json!({
        "AccountId": account_id(i), "ContactId": make_id("003", (i % 120) as u64 + 1),
        "Subject": CASE_SUBJECTS[i % CASE_SUBJECTS.len()], "Status": pick(&["New", "Working", "Escalated", "Closed"], i),
        "Priority": pick(&["High", "Medium", "Low"], i), "Origin": pick(&["Phone", "Email", "Web"], i),
        "RecordTypeId": rt, "OwnerId": user_id(2 + i % 2),
    })
}

fn project(i: usize) -> Value {
    json!({
        "Name": format!("Project {}", pick(&["Apollo", "Borealis", "Cascade", "Delta", "Everest"], i)) + &format!(" {}", i / 5 + 1),
        "Account__c": account_id(i * 2), "Status__c": PROJECT_STATUSES[i % 4],
        "Start_Date__c": date(i as i64 * 14), "End_Date__c": date(i as i64 * 14 + 90),
        "Budget__c": (i as f64 + 1.0) * 15000.0, "External_Id__c": format!("PRJ-{:04}", i + 1),
        "Is_Active__c": i % 4 != 3, "OwnerId": user_id(i),
    })
}

/// Insert one generated record of `object` created at `created`; returns its id.
pub(super) fn insert(
    store: &mut Store,
    object: &str,
    fields: Value,
    created: DateTime<Utc>,
) -> String {
    let Some(idx) = store.index(object) else {
        return String::new();
    };
    let obj = &store.objects[idx];
    let table = &mut store.tables[idx];
    let id = table.next_id(obj.key_prefix);
    let mut values: Map<String, Value> = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let stamp = Value::from(format_datetime(created));
    let owner = values.get("OwnerId").cloned().unwrap_or_else(|| user_id(0));
    values.insert("Id".into(), Value::from(id.clone()));
    values.insert("IsDeleted".into(), Value::Bool(false));
    for key in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        values.insert(key.into(), stamp.clone());
    }
    for key in ["CreatedById", "LastModifiedById"] {
        values.insert(key.into(), user_id(0));
    }
    if obj.field("OwnerId").is_some() {
        values.insert("OwnerId".into(), owner);
    }
    if obj.name == "Case" {
        values.insert(
            "CaseNumber".into(),
            Value::from(format!("{:08}", 1000 + table.issued)),
        );
    }
    derive::apply_create_defaults(obj, &mut values, None);
    for f in &obj.fields {
        values.entry(f.name).or_insert(Value::Null);
    }
    derive::recompute(obj, &mut values, false);
    table.rows.insert(id.clone(), super::store::Row { values });
    id
}
