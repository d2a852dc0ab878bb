//! Describe Global and sObject Describe bodies, shaped like Salesforce's.

use serde_json::{Value, json};

use super::schema::{FieldDef, FieldType, ObjectDef};

/// The Master record type's fixed id.
pub const MASTER_RECORD_TYPE_ID: &str = "012000000000000AAA";

/// The object-level flags shared by Describe Global entries and sObject Describe.
pub fn object_summary(obj: &ObjectDef, version: &str) -> Value {
    let base = format!("/services/data/v{version}/sobjects/{}", obj.name);
    json!({
        "activateable": false, "custom": obj.is_custom(), "customSetting": false,
        "createable": obj.writable, "deletable": obj.writable, "deprecatedAndHidden": false,
        "feedEnabled": obj.writable, "keyPrefix": obj.key_prefix, "label": obj.label,
        "labelPlural": obj.label_plural, "layoutable": true, "mergeable": obj.writable && !obj.is_custom(),
        "mruEnabled": true, "name": obj.name, "queryable": true, "replicateable": true,
        "retrieveable": true, "searchable": obj.searchable, "triggerable": true,
        "undeletable": obj.writable, "updateable": obj.writable,
        "urls": {
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        }
    })
}

/// The full sObject Describe body of `obj` as `user` sees it (their default record type); `all`
/// is every object (for child relationships).
pub fn describe_object(
    obj: &ObjectDef,
    all: &[ObjectDef],
    version: &str,
    user: Option<&str>,
) -> Value {
    let mut body = object_summary(obj, version);
    let base = format!("/services/data/v{version}/sobjects/{}", obj.name);
    let extra = json!({
        "actionOverrides": [], "associateEntityType": null, "associateParentEntity": null,
        "childRelationships": child_relationships(obj, all),
        "compactLayoutable": true, "deepCloneable": false, "defaultImplementation": null,
        "extendedBy": null, "extendsInterfaces": null,
        "fields": obj.fields.iter().map(|f| describe_field(obj, f)).collect::<Vec<_>>(),
        "hasSubtypes": false, "implementedBy": null, "implementsInterfaces": null,
        "isInterface": false, "isSubtype": false, "listviewable": null, "lookupLayoutable": null,
        "namedLayoutInfos": [], "networkScopeFieldName": null,
        "recordTypeInfos": record_type_infos(obj, version, user),
        "searchLayoutable": obj.searchable, "sobjectDescribeOption": "FULL",
        "supportedScopes": [{"label": "All", "name": "everything"}, {"label": "My", "name": "mine"}],
        "urls": {
            "compactLayouts": format!("{base}/describe/compactLayouts"),
            "rowTemplate": format!("{base}/{{ID}}"),
            "approvalLayouts": format!("{base}/describe/approvalLayouts"),
            "uiDetailTemplate": format!("https://sim.my.salesforce.com/{{ID}}"),
            "uiEditTemplate": format!("https://sim.my.salesforce.com/{{ID}}/e"),
            "describe": format!("{base}/describe"),
            "uiNewRecord": format!("https://sim.my.salesforce.com/{}/e", obj.key_prefix),
            "quickActions": format!("{base}/quickActions"),
            "layouts": format!("{base}/describe/layouts"),
            "sobject": base,
        },
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
}

fn describe_field(obj: &ObjectDef, f: &FieldDef) -> Value {
    let text = f.ftype.is_textual();
    let controlling = f
        .controller
        .and_then(|c| obj.field(c))
        .map(|c| c.picklist.clone())
        .unwrap_or_default();
    let picklist: Vec<Value> = f
        .picklist
        .iter()
        .map(|v| {
            let valid_for = f
                .controller
                .map(|_| Value::from(valid_for_bitmap(f, v, &controlling)));
            json!({"active": true, "defaultValue": f.picklist_default == Some(*v),
                   "label": v, "validFor": valid_for, "value": v})
        })
        .collect();
    let digits = if f.ftype == FieldType::Int { 9 } else { 0 };
    let mut first = json!({
        "aggregatable": f.ftype != FieldType::Textarea, "aiPredictionField": false,
        "autoNumber": f.auto_number, "byteLength": if text { f.length * 3 } else { 0 },
        "calculated": f.formula.is_some(), "calculatedFormula": f.formula,
        "cascadeDelete": false, "caseSensitive": false, "compoundFieldName": null,
        "controllerName": f.controller, "createable": f.createable, "custom": f.is_custom(),
        "defaultValue": default_value(f),
        "defaultValueFormula": null, "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": f.controller.is_some(), "deprecatedAndHidden": false, "digits": digits,
        "displayLocationInDecimal": false, "encrypted": false, "externalId": f.external_id,
        "extraTypeInfo": null, "filterable": f.ftype != FieldType::Textarea,
        "filteredLookupInfo": null, "formulaTreatNullNumberAsZero": false,
        "groupable": !f.ftype.is_number() && f.ftype != FieldType::Textarea,
        "highScaleNumber": false, "htmlFormatted": false,
        "idLookup": f.ftype == FieldType::Id || f.external_id,
        "inlineHelpText": null, "label": f.label,
    });
    let second = json!({
        "length": if text { f.length } else { 0 }, "mask": null, "maskType": null,
        "name": f.name, "nameField": f.name_field,
        "namePointing": f.relationship_name == Some("Owner"), "nillable": f.nillable,
        "permissionable": f.nillable && f.createable, "picklistValues": picklist,
        "polymorphicForeignKey": false, "precision": f.precision, "queryByDistance": false,
        "referenceTargetField": null,
        "referenceTo": f.reference_to.map(|t| vec![t]).unwrap_or_default(),
        "relationshipName": f.relationship_name, "relationshipOrder": null,
        "restrictedDelete": false, "restrictedPicklist": f.restricted, "scale": f.scale,
        "searchPrefilterable": f.ftype == FieldType::Reference, "soapType": f.ftype.soap_type(),
        "sortable": f.ftype != FieldType::Textarea, "type": f.ftype.api_name(),
        "unique": f.unique, "updateable": f.updateable, "writeRequiresMasterRead": false,
    });
    if let (Value::Object(a), Value::Object(b)) = (&mut first, second) {
        a.extend(b);
    }
    first
}

/// Describe's `validFor`: base64 of a bitmap with bit `i` (most significant first) set when the
/// value is valid for the controller's `i`-th value.
fn valid_for_bitmap(f: &FieldDef, value: &str, controlling: &[&str]) -> String {
    use base64::Engine as _;
    let mut bytes = vec![0u8; controlling.len().div_ceil(8).max(1)];
    for (i, c) in controlling.iter().enumerate() {
        if f.valid_with(value, Some(c)) {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// Checkboxes default to false; picklists to their default value; everything else to null.
fn default_value(f: &FieldDef) -> Value {
    match (f.ftype, f.picklist_default) {
        (FieldType::Boolean, _) => Value::Bool(false),
        (_, Some(v)) => Value::from(v),
        _ => Value::Null,
    }
}

fn child_relationships(obj: &ObjectDef, all: &[ObjectDef]) -> Vec<Value> {
    let mut out = Vec::new();
    for child in all {
        for f in &child.fields {
            if f.reference_to == Some(obj.name) {
                out.push(json!({
                    "cascadeDelete": false, "childSObject": child.name,
                    "deprecatedAndHidden": false, "field": f.name,
                    "junctionIdListNames": [], "junctionReferenceTo": [],
                    "relationshipName": f.child_relationship, "restrictedDelete": false,
                }));
            }
        }
    }
    out
}

fn record_type_info(
    obj: &str,
    id: &str,
    name: &str,
    dev: &str,
    default: bool,
    version: &str,
) -> Value {
    json!({
        "active": true, "available": true, "defaultRecordTypeMapping": default,
        "developerName": dev, "master": id == MASTER_RECORD_TYPE_ID, "name": name,
        "recordTypeId": id,
        "urls": {"layout": format!("/services/data/v{version}/sobjects/{obj}/describe/layouts/{id}")},
    })
}

fn record_type_infos(obj: &ObjectDef, version: &str, user: Option<&str>) -> Vec<Value> {
    let only_master = obj.record_types.is_empty();
    let default_id = obj.default_record_type(user).map(|rt| rt.id.clone());
    let mut out: Vec<Value> = obj
        .record_types
        .iter()
        .map(|rt| {
            record_type_info(
                obj.name,
                &rt.id,
                rt.name,
                rt.developer_name,
                default_id.as_deref() == Some(rt.id.as_str()),
                version,
            )
        })
        .collect();
    let mut master = record_type_info(
        obj.name,
        MASTER_RECORD_TYPE_ID,
        "Master",
        "Master",
        only_master,
        version,
    );
    if !only_master {
        // Salesforce lists Master as unavailable once an object has its own record types.
        master["available"] = Value::Bool(false);
    }
    out.push(master);
    out
}
