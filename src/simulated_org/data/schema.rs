//! Object and field definitions: what describe reports and what queries and writes check against.

/// A field's Salesforce type (the `type` of a describe field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Record id.
    Id,
    /// Checkbox.
    Boolean,
    /// Text.
    String,
    /// Long text area.
    Textarea,
    /// Single-select picklist.
    Picklist,
    /// Lookup to another object.
    Reference,
    /// Whole number.
    Int,
    /// Number with decimals.
    Double,
    /// Money.
    Currency,
    /// Percentage.
    Percent,
    /// Calendar date, `2026-01-15`.
    Date,
    /// Timestamp, `2026-01-15T10:00:00.000+0000`.
    Datetime,
    /// Email address.
    Email,
    /// Phone number.
    Phone,
    /// Web address.
    Url,
}

impl FieldType {
    /// The describe `type` value.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Boolean => "boolean",
            Self::String => "string",
            Self::Textarea => "textarea",
            Self::Picklist => "picklist",
            Self::Reference => "reference",
            Self::Int => "int",
            Self::Double => "double",
            Self::Currency => "currency",
            Self::Percent => "percent",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Url => "url",
        }
    }

    /// The describe `soapType` value.
    pub fn soap_type(self) -> &'static str {
        match self {
            Self::Id | Self::Reference => "tns:ID",
            Self::Boolean => "xsd:boolean",
            Self::Int => "xsd:int",
            Self::Double | Self::Currency | Self::Percent => "xsd:double",
            Self::Date => "xsd:date",
            Self::Datetime => "xsd:dateTime",
            _ => "xsd:string",
        }
    }

    /// Text a SOSL search looks into.
    pub fn is_searchable_text(self) -> bool {
        matches!(
            self,
            Self::String | Self::Textarea | Self::Email | Self::Phone | Self::Picklist | Self::Url
        )
    }

    /// Values held as JSON strings and compared as text (ids included).
    pub fn is_textual(self) -> bool {
        self.is_searchable_text() || matches!(self, Self::Id | Self::Reference)
    }

    /// Values held as JSON numbers.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Self::Int | Self::Double | Self::Currency | Self::Percent
        )
    }
}

/// One field of an object, with everything describe reports about it.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// API name, e.g. `AccountId`.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Type.
    pub ftype: FieldType,
    /// Maximum length for text (0 otherwise).
    pub length: u32,
    /// Total digits for numbers.
    pub precision: u32,
    /// Decimal places for numbers.
    pub scale: u32,
    /// Can be null.
    pub nillable: bool,
    /// Settable on create.
    pub createable: bool,
    /// Settable on update.
    pub updateable: bool,
    /// Gets a value on create when none is given.
    pub defaulted_on_create: bool,
    /// An external id (usable for upsert).
    pub external_id: bool,
    /// Values must be unique.
    pub unique: bool,
    /// The object's name field.
    pub name_field: bool,
    /// Formula field (read-only).
    pub formula: Option<&'static str>,
    /// Auto-number field (read-only).
    pub auto_number: bool,
    /// Picklist values, in order.
    pub picklist: Vec<&'static str>,
    /// Default picklist value.
    pub picklist_default: Option<&'static str>,
    /// Only listed picklist values are accepted.
    pub restricted: bool,
    /// Target object of a lookup.
    pub reference_to: Option<&'static str>,
    /// Relationship name used in SOQL paths (`Account`, `Account__r`).
    pub relationship_name: Option<&'static str>,
    /// Name of the child relationship on the target (`Contacts`).
    pub child_relationship: Option<&'static str>,
    /// A dependent picklist's controlling field.
    pub controller: Option<&'static str>,
    /// A dependent picklist: for each value, the controlling values it is valid for.
    pub valid_for: Vec<(&'static str, Vec<&'static str>)>,
}

/// Shorthand constructor: a nillable, createable, updateable field with the type's usual sizes.
pub fn field(name: &'static str, label: &'static str, ftype: FieldType) -> FieldDef {
    let (length, precision, scale) = match ftype {
        FieldType::Id | FieldType::Reference => (18, 0, 0),
        FieldType::String | FieldType::Url | FieldType::Picklist => (255, 0, 0),
        FieldType::Textarea => (32000, 0, 0),
        FieldType::Email => (80, 0, 0),
        FieldType::Phone => (40, 0, 0),
        FieldType::Currency => (0, 18, 2),
        FieldType::Double => (0, 18, 0),
        FieldType::Percent => (0, 3, 0),
        _ => (0, 0, 0),
    };
    FieldDef {
        name,
        label,
        ftype,
        length,
        precision,
        scale,
        nillable: ftype != FieldType::Boolean,
        createable: true,
        updateable: true,
        defaulted_on_create: ftype == FieldType::Boolean,
        external_id: false,
        unique: false,
        name_field: false,
        formula: None,
        auto_number: false,
        picklist: Vec::new(),
        picklist_default: None,
        restricted: false,
        reference_to: None,
        relationship_name: None,
        child_relationship: None,
        controller: None,
        valid_for: Vec::new(),
    }
}

impl FieldDef {
    /// Maximum text length.
    pub fn len(mut self, length: u32) -> Self {
        self.length = length;
        self
    }
    /// Not nillable: required on create unless defaulted.
    pub fn required(mut self) -> Self {
        self.nillable = false;
        self
    }
    /// Neither createable nor updateable.
    pub fn read_only(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }
    /// Kept by Salesforce itself: read-only, never null, filled in on create.
    pub fn system(self) -> Self {
        self.read_only().required().defaulted()
    }
    /// Filled in on create when absent.
    pub fn defaulted(mut self) -> Self {
        self.defaulted_on_create = true;
        self
    }
    /// External id, optionally unique.
    pub fn external_id(mut self, unique: bool) -> Self {
        self.external_id = true;
        self.unique = unique;
        self
    }
    /// The object's name field.
    pub fn name_field(mut self) -> Self {
        self.name_field = true;
        self
    }
    /// Picklist values; the default (if any) is applied on create.
    pub fn picklist(
        mut self,
        values: &[&'static str],
        default: Option<&'static str>,
        restricted: bool,
    ) -> Self {
        self.picklist = values.to_vec();
        self.picklist_default = default;
        self.restricted = restricted;
        self.defaulted_on_create = default.is_some();
        self
    }
    /// Lookup to `to` through `relationship`, seen from `to` as the child relationship `child`.
    pub fn reference(
        mut self,
        to: &'static str,
        relationship: &'static str,
        child: Option<&'static str>,
    ) -> Self {
        self.reference_to = Some(to);
        self.relationship_name = Some(relationship);
        self.child_relationship = child;
        self
    }
    /// Read-only formula field.
    pub fn formula(mut self, formula: &'static str) -> Self {
        self.formula = Some(formula);
        self.read_only()
    }
    /// Read-only auto-number field.
    pub fn auto_number(mut self) -> Self {
        self.auto_number = true;
        self.defaulted_on_create = true;
        self.nillable = false;
        self.read_only()
    }
    /// A dependent picklist of `controller`: each value with the controlling values it is valid
    /// for (its values are the ones listed, in order).
    pub fn depends_on(
        mut self,
        controller: &'static str,
        valid_for: &[(&'static str, &[&'static str])],
    ) -> Self {
        self.controller = Some(controller);
        self.picklist = valid_for.iter().map(|(v, _)| *v).collect();
        self.valid_for = valid_for.iter().map(|(v, c)| (*v, c.to_vec())).collect();
        self
    }
    /// Whether a dependent picklist's `value` is valid when the controller is `controlling`
    /// (always true for an independent picklist).
    pub fn valid_with(&self, value: &str, controlling: Option<&str>) -> bool {
        if self.controller.is_none() {
            return true;
        }
        let Some(controlling) = controlling else {
            return false;
        };
        self.valid_for
            .iter()
            .any(|(v, c)| *v == value && c.contains(&controlling))
    }
    /// Number precision and scale.
    pub fn num(mut self, precision: u32, scale: u32) -> Self {
        self.precision = precision;
        self.scale = scale;
        self
    }
    /// A custom field (`__c`).
    pub fn is_custom(&self) -> bool {
        self.name.ends_with("__c")
    }
}

/// A record type of an object.
#[derive(Debug, Clone)]
pub struct RecordTypeDef {
    /// 18-character id (`012...`).
    pub id: String,
    /// Label.
    pub name: &'static str,
    /// API name.
    pub developer_name: &'static str,
    /// Default for new records of users without their own default.
    pub default: bool,
    /// Users (18-character ids) whose default this record type is.
    pub default_users: Vec<String>,
    /// Picklist values this record type allows, by field; fields not listed allow every value.
    pub picklists: Vec<(&'static str, Vec<&'static str>)>,
}

impl RecordTypeDef {
    /// The values this record type allows for `field` (`None`: every value of the field).
    pub fn allowed(&self, field: &str) -> Option<&[&'static str]> {
        self.picklists
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_slice())
    }
}

/// One object (standard or custom) and its fields.
#[derive(Debug, Clone)]
pub struct ObjectDef {
    /// API name (`Account`, `Project__c`).
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Plural label.
    pub label_plural: &'static str,
    /// Three-character id prefix.
    pub key_prefix: &'static str,
    /// Records can be created, updated and deleted through the API.
    pub writable: bool,
    /// Included in SOSL searches.
    pub searchable: bool,
    /// Fields, system fields first.
    pub fields: Vec<FieldDef>,
    /// Record types besides Master.
    pub record_types: Vec<RecordTypeDef>,
}

impl ObjectDef {
    /// A custom object (`__c`).
    pub fn is_custom(&self) -> bool {
        self.name.ends_with("__c")
    }
    /// The field with this name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
    /// The record type that is `user`'s default (`None`: only Master).
    pub fn default_record_type(&self, user: Option<&str>) -> Option<&RecordTypeDef> {
        let own = user.and_then(|u| {
            self.record_types
                .iter()
                .find(|rt| rt.default_users.iter().any(|d| d == u))
        });
        own.or_else(|| self.record_types.iter().find(|rt| rt.default))
    }
    /// The record type with this 15- or 18-character id.
    pub fn record_type(&self, id: &str) -> Option<&RecordTypeDef> {
        let id18 = super::ids::normalize(id)?;
        self.record_types.iter().find(|rt| rt.id == id18)
    }
    /// The lookup field whose relationship name is `name`, case-insensitively.
    pub fn relationship(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| {
            f.relationship_name
                .is_some_and(|r| r.eq_ignore_ascii_case(name))
        })
    }
}
