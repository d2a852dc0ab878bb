//! The sample org's objects: Account, Contact, Lead, Opportunity, Case, `Project__c`, User and
//! RecordType, with their fields.

use super::ids::make_id;
use super::schema::{FieldDef, FieldType as T, ObjectDef, RecordTypeDef, field};

/// Opportunity stages with their default probability and closed/won flags.
pub const STAGES: &[(&str, f64, bool, bool)] = &[
    ("Prospecting", 10.0, false, false),
    ("Qualification", 10.0, false, false),
    ("Needs Analysis", 20.0, false, false),
    ("Value Proposition", 50.0, false, false),
    ("Proposal/Price Quote", 75.0, false, false),
    ("Negotiation/Review", 90.0, false, false),
    ("Closed Won", 100.0, true, true),
    ("Closed Lost", 0.0, true, false),
];

const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Banking",
    "Construction",
    "Education",
    "Energy",
    "Healthcare",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
];
const LEAD_SOURCES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Trade Show",
    "Other",
];
const RATINGS: &[&str] = &["Hot", "Warm", "Cold"];

/// The record types of Case: Support (everyone's default but the third user's) allows every
/// Status and Priority; Internal (the third user's default) has no Escalated status and no High
/// priority.
pub fn case_record_types() -> Vec<RecordTypeDef> {
    vec![
        RecordTypeDef {
            id: make_id("012", 1),
            name: "Support",
            developer_name: "Support",
            default: true,
            default_users: Vec::new(),
            picklists: Vec::new(),
        },
        RecordTypeDef {
            id: make_id("012", 2),
            name: "Internal Request",
            developer_name: "Internal",
            default: false,
            default_users: vec![make_id("005", 3)],
            picklists: vec![
                ("Status", vec!["New", "Working", "Closed"]),
                ("Priority", vec!["Medium", "Low"]),
                (
                    "Escalation_Reason__c",
                    vec!["Duplicate", "Resolved by customer"],
                ),
            ],
        },
    ]
}

/// Case's dependent picklist `Escalation_Reason__c`, controlled by Status.
const ESCALATION_REASONS: &[(&str, &[&str])] = &[
    ("Customer request", &["Escalated"]),
    ("SLA breach", &["Escalated"]),
    ("Duplicate", &["Closed"]),
    ("Resolved by customer", &["Closed"]),
];

/// Every object of the sample org.
pub fn all() -> Vec<ObjectDef> {
    vec![
        account(),
        contact(),
        lead(),
        opportunity(),
        case(),
        project(),
        user(),
        record_type(),
    ]
    .into_iter()
    .chain(super::content::objects())
    .collect()
}

pub(super) fn system_fields(with_owner: bool) -> Vec<FieldDef> {
    let mut fields = vec![
        field("Id", "Record ID", T::Id).system(),
        field("IsDeleted", "Deleted", T::Boolean).read_only(),
        field("CreatedDate", "Created Date", T::Datetime).system(),
        field("CreatedById", "Created By ID", T::Reference)
            .system()
            .reference("User", "CreatedBy", None),
        field("LastModifiedDate", "Last Modified Date", T::Datetime).system(),
        field("LastModifiedById", "Last Modified By ID", T::Reference)
            .system()
            .reference("User", "LastModifiedBy", None),
        field("SystemModstamp", "System Modstamp", T::Datetime).system(),
    ];
    if with_owner {
        fields.push(
            field("OwnerId", "Owner ID", T::Reference)
                .required()
                .defaulted()
                .reference("User", "Owner", None),
        );
    }
    fields
}

fn object(
    name: &'static str,
    labels: (&'static str, &'static str),
    key_prefix: &'static str,
    own: Vec<FieldDef>,
) -> ObjectDef {
    let mut fields = system_fields(true);
    fields.extend(own);
    ObjectDef {
        name,
        label: labels.0,
        label_plural: labels.1,
        key_prefix,
        writable: true,
        searchable: true,
        fields,
        record_types: Vec::new(),
    }
}

fn account() -> ObjectDef {
    object(
        "Account",
        ("Account", "Accounts"),
        "001",
        vec![
            field("Name", "Account Name", T::String)
                .len(255)
                .required()
                .name_field(),
            field("Type", "Account Type", T::Picklist).picklist(
                &[
                    "Prospect",
                    "Customer - Direct",
                    "Customer - Channel",
                    "Partner",
                    "Other",
                ],
                None,
                false,
            ),
            field("Industry", "Industry", T::Picklist).picklist(INDUSTRIES, None, false),
            field("Rating", "Account Rating", T::Picklist).picklist(RATINGS, None, false),
            field("ParentId", "Parent Account ID", T::Reference).reference(
                "Account",
                "Parent",
                Some("ChildAccounts"),
            ),
            field("AnnualRevenue", "Annual Revenue", T::Currency),
            field("NumberOfEmployees", "Employees", T::Int).num(0, 0),
            field("Phone", "Account Phone", T::Phone),
            field("Website", "Website", T::Url),
            field("BillingStreet", "Billing Street", T::Textarea).len(255),
            field("BillingCity", "Billing City", T::String).len(40),
            field("BillingState", "Billing State/Province", T::String).len(80),
            field("BillingPostalCode", "Billing Zip/Postal Code", T::String).len(20),
            field("BillingCountry", "Billing Country", T::String).len(80),
            field("Description", "Account Description", T::Textarea),
            field("Account_Number__c", "Account Number", T::String)
                .len(40)
                .external_id(false),
        ],
    )
}

fn contact() -> ObjectDef {
    object(
        "Contact",
        ("Contact", "Contacts"),
        "003",
        vec![
            field("AccountId", "Account ID", T::Reference).reference(
                "Account",
                "Account",
                Some("Contacts"),
            ),
            field("Salutation", "Salutation", T::Picklist).picklist(
                &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."],
                None,
                false,
            ),
            field("FirstName", "First Name", T::String).len(40),
            field("LastName", "Last Name", T::String).len(80).required(),
            field("Name", "Full Name", T::String)
                .len(121)
                .read_only()
                .name_field(),
            field("Title", "Title", T::String).len(128),
            field("Email", "Email", T::Email),
            field("Phone", "Business Phone", T::Phone),
            field("MobilePhone", "Mobile Phone", T::Phone),
            field("MailingCity", "Mailing City", T::String).len(40),
            field("MailingCountry", "Mailing Country", T::String).len(80),
            field("LeadSource", "Lead Source", T::Picklist).picklist(LEAD_SOURCES, None, false),
            field("Birthdate", "Birthdate", T::Date),
            field("Description", "Contact Description", T::Textarea),
        ],
    )
}

fn lead() -> ObjectDef {
    object(
        "Lead",
        ("Lead", "Leads"),
        "00Q",
        vec![
            field("FirstName", "First Name", T::String).len(40),
            field("LastName", "Last Name", T::String).len(80).required(),
            field("Name", "Full Name", T::String)
                .len(121)
                .read_only()
                .name_field(),
            field("Company", "Company", T::String).len(255).required(),
            field("Title", "Title", T::String).len(128),
            field("Email", "Email", T::Email),
            field("Phone", "Phone", T::Phone),
            field("Status", "Status", T::Picklist).picklist(
                &[
                    "Open - Not Contacted",
                    "Working - Contacted",
                    "Closed - Converted",
                    "Closed - Not Converted",
                ],
                Some("Open - Not Contacted"),
                false,
            ),
            field("LeadSource", "Lead Source", T::Picklist).picklist(LEAD_SOURCES, None, false),
            field("Industry", "Industry", T::Picklist).picklist(INDUSTRIES, None, false),
            field("Rating", "Rating", T::Picklist).picklist(RATINGS, None, false),
            field("AnnualRevenue", "Annual Revenue", T::Currency),
            field("NumberOfEmployees", "Employees", T::Int).num(0, 0),
            field("IsConverted", "Converted", T::Boolean),
        ],
    )
}

fn opportunity() -> ObjectDef {
    let stages: Vec<&'static str> = STAGES.iter().map(|s| s.0).collect();
    object(
        "Opportunity",
        ("Opportunity", "Opportunities"),
        "006",
        vec![
            field("AccountId", "Account ID", T::Reference).reference(
                "Account",
                "Account",
                Some("Opportunities"),
            ),
            field("Name", "Name", T::String)
                .len(120)
                .required()
                .name_field(),
            field("StageName", "Stage", T::Picklist)
                .picklist(&stages, None, true)
                .required(),
            field("CloseDate", "Close Date", T::Date).required(),
            field("Amount", "Amount", T::Currency),
            field("Probability", "Probability (%)", T::Percent).defaulted(),
            field("TotalOpportunityQuantity", "Quantity", T::Double).num(18, 2),
            field("ExpectedRevenue", "Expected Amount", T::Currency)
                .formula("Amount * Probability / 100"),
            field("Type", "Opportunity Type", T::Picklist).picklist(
                &["New Business", "Existing Business"],
                None,
                false,
            ),
            field("LeadSource", "Lead Source", T::Picklist).picklist(LEAD_SOURCES, None, false),
            field("NextStep", "Next Step", T::String).len(255),
            field("Description", "Description", T::Textarea),
            field("IsClosed", "Closed", T::Boolean).read_only(),
            field("IsWon", "Won", T::Boolean).read_only(),
        ],
    )
}

fn case() -> ObjectDef {
    let mut def = object(
        "Case",
        ("Case", "Cases"),
        "500",
        vec![
            field("CaseNumber", "Case Number", T::String)
                .len(30)
                .auto_number()
                .name_field(),
            field("RecordTypeId", "Record Type ID", T::Reference)
                .defaulted()
                .reference("RecordType", "RecordType", None),
            field("AccountId", "Account ID", T::Reference).reference(
                "Account",
                "Account",
                Some("Cases"),
            ),
            field("ContactId", "Contact ID", T::Reference).reference(
                "Contact",
                "Contact",
                Some("Cases"),
            ),
            field("Subject", "Subject", T::String).len(255),
            field("Description", "Description", T::Textarea),
            field("Status", "Status", T::Picklist).picklist(
                &["New", "Working", "Escalated", "Closed"],
                Some("New"),
                false,
            ),
            field("Priority", "Priority", T::Picklist).picklist(
                &["High", "Medium", "Low"],
                Some("Medium"),
                false,
            ),
            field("Origin", "Case Origin", T::Picklist).picklist(
                &["Phone", "Email", "Web"],
                None,
                false,
            ),
            field("IsClosed", "Closed", T::Boolean).read_only(),
            field("ClosedDate", "Closed Date", T::Datetime).read_only(),
            field("Escalation_Reason__c", "Escalation Reason", T::Picklist)
                .depends_on("Status", ESCALATION_REASONS),
        ],
    );
    def.record_types = case_record_types();
    def
}

fn project() -> ObjectDef {
    object(
        "Project__c",
        ("Project", "Projects"),
        "a0B",
        vec![
            field("Name", "Project Name", T::String)
                .len(80)
                .required()
                .name_field(),
            field("Account__c", "Account", T::Reference).reference(
                "Account",
                "Account__r",
                Some("Projects__r"),
            ),
            field("Status__c", "Status", T::Picklist).picklist(
                &["Planned", "In Progress", "On Hold", "Completed"],
                Some("Planned"),
                true,
            ),
            field("Start_Date__c", "Start Date", T::Date),
            field("End_Date__c", "End Date", T::Date),
            field("Budget__c", "Budget", T::Currency).num(16, 2),
            field("External_Id__c", "External Id", T::String)
                .len(50)
                .external_id(true),
            field("Is_Active__c", "Active", T::Boolean),
            field("Description__c", "Description", T::Textarea),
        ],
    )
}

fn user() -> ObjectDef {
    let mut fields = system_fields(false);
    fields.extend([
        field("Username", "Username", T::String).len(80).required(),
        field("FirstName", "First Name", T::String).len(40),
        field("LastName", "Last Name", T::String).len(80).required(),
        field("Name", "Full Name", T::String)
            .len(121)
            .read_only()
            .name_field(),
        field("Email", "Email", T::Email).required(),
        field("Alias", "Alias", T::String).len(8).required(),
        field("Title", "Title", T::String).len(80),
        field("IsActive", "Active", T::Boolean),
    ]);
    ObjectDef {
        name: "User",
        label: "User",
        label_plural: "Users",
        key_prefix: "005",
        writable: false,
        searchable: true,
        fields,
        record_types: Vec::new(),
    }
}

fn record_type() -> ObjectDef {
    let mut fields = system_fields(false);
    fields.extend([
        field("Name", "Record Type Label", T::String)
            .len(80)
            .required()
            .name_field(),
        field("DeveloperName", "Record Type Name", T::String)
            .len(80)
            .required(),
        field("SobjectType", "SObject Type Name", T::String)
            .len(40)
            .required(),
        field("IsActive", "Active", T::Boolean),
    ]);
    ObjectDef {
        name: "RecordType",
        label: "Record Type",
        label_plural: "Record Types",
        key_prefix: "012",
        writable: false,
        searchable: false,
        fields,
        record_types: Vec::new(),
    }
}
