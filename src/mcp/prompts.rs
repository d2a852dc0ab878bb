//! MCP prompts from `prompts/*.md`: front matter (name, title, description, arguments) and a body
//! with `{{argument}}` placeholders. Embedded at build time so the binary is self-contained.

use rmcp::ErrorData;
use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};

const SOURCES: [&str; 4] = [
    include_str!("../../prompts/explore_objects.md"),
    include_str!("../../prompts/account_followups.md"),
    include_str!("../../prompts/find_related_records.md"),
    include_str!("../../prompts/prepare_followup_update.md"),
];

/// One parsed prompt file.
#[derive(Debug, Clone, PartialEq)]
struct PromptFile {
    name: String,
    title: String,
    description: String,
    /// (name, description, required)
    arguments: Vec<(String, String, bool)>,
    body: String,
}

fn parse(source: &str) -> Option<PromptFile> {
    let rest = source.strip_prefix("---\n")?;
    let (front, body) = rest.split_once("\n---\n")?;
    let mut file = PromptFile {
        name: String::new(),
        title: String::new(),
        description: String::new(),
        arguments: Vec::new(),
        body: body.trim().to_owned(),
    };
    for line in front.lines() {
        if let Some(arg) = line.trim_start().strip_prefix("- ") {
            let (name, text) = arg.split_once(':')?;
            let text = text.trim();
            let required = text.ends_with("(required)");
            file.arguments.push((
                name.trim().to_owned(),
                text.trim_end_matches("(required)").trim().to_owned(),
                required,
            ));
        } else if let Some((key, value)) = line.split_once(':') {
            let value = value.trim().to_owned();
            match key.trim() {
                "name" => file.name = value,
                "title" => file.title = value,
                "description" => file.description = value,
                _ => {}
            }
        }
    }
    (!file.name.is_empty()).then_some(file)
}

fn all() -> impl Iterator<Item = PromptFile> {
    SOURCES.iter().filter_map(|s| parse(s))
}

/// Every prompt, for `prompts/list`.
pub fn list() -> Vec<Prompt> {
    all()
        .map(|p| {
            let args = p
                .arguments
                .iter()
                .map(|(n, d, r)| PromptArgument::new(n).with_description(d).with_required(*r))
                .collect::<Vec<_>>();
            Prompt::new(
                p.name,
                Some(p.description),
                (!args.is_empty()).then_some(args),
            )
            .with_title(p.title)
        })
        .collect()
}

/// One prompt with its arguments filled in, for `prompts/get`.
pub fn get(name: &str, arguments: Option<&JsonObject>) -> Result<GetPromptResult, ErrorData> {
    let prompt = all().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<String> = all().map(|p| p.name).collect();
        ErrorData::invalid_params(
            format!("unknown prompt '{name}'; prompts are: {}", names.join(", ")),
            None,
        )
    })?;
    let mut text = prompt.body.clone();
    for (arg, _, required) in &prompt.arguments {
        let value = arguments
            .and_then(|a| a.get(arg))
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if *required && value.trim().is_empty() {
            return Err(ErrorData::invalid_params(
                format!("prompt '{name}' needs the argument '{arg}'"),
                None,
            ));
        }
        text = text.replace(&format!("{{{{{arg}}}}}"), value);
    }
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(prompt.description),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_file_parses_with_its_arguments() {
        let names: Vec<String> = all().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "explore_objects",
                "account_followups",
                "find_related_records",
                "prepare_followup_update"
            ]
        );
        let update = all().find(|p| p.name == "prepare_followup_update").unwrap();
        assert_eq!(
            update
                .arguments
                .iter()
                .map(|a| a.0.as_str())
                .collect::<Vec<_>>(),
            ["record", "note"]
        );
    }

    #[test]
    fn arguments_are_filled_and_required_ones_checked() {
        let mut args = JsonObject::new();
        args.insert("account".into(), "Acme Corporation".into());
        let r = get("account_followups", Some(&args)).unwrap();
        assert!(format!("{:?}", r.messages).contains("Acme Corporation"));
        assert!(get("account_followups", None).is_err());
        assert!(get("nope", None).is_err());
    }
}
